"""Libraries the bot's processes load when first used, not when something imports them.

An estimate worker imports, through genai-prices, two libraries it never uses: httpx2 (the HTTP
client of its optional price updater, used only with PRICES_AUTO_UPDATE=1) and asyncio (for the
updater's async wait, and by bot/slack/workers.py for the bot's side of the pipes; a worker runs
no event loop). With what they pull in (ssl, subprocess, http.client, email) they held about 6 MB
of the worker's resident memory all day, httpx2 about 1 MB of the bot's (docs/benchmarks.md).
Deferred, each loads on the first read of one of its names, wherever that is.

`importlib.util.LazyLoader` cannot do this on Python 3.11: an `import` statement reads the
module's `__spec__`, which loads it. Only the bot's own processes defer: `python -m bot` before
its configuration imports the estimator, and bot/slack/workers.py as it is imported (first
thing in a worker process). A module imported already is left as it is.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
import threading
import types
from typing import Any

DEFERRED = ("httpx2", "asyncio")

# Reentrant: loading one deferred module may read a name of another (httpx2 uses asyncio).
_loading = threading.RLock()


class _Deferred(types.ModuleType):
    """Stands in sys.modules for a module not loaded yet; reading any of its names loads it."""

    def __getattr__(self, attribute: str) -> Any:
        return getattr(_load(self), attribute)


def defer(names: tuple[str, ...] = DEFERRED) -> None:
    """Each module in `names` loads on first use; one imported already, or absent, is left."""
    for name in names:
        if name in sys.modules:
            continue
        spec = importlib.util.find_spec(name)
        if spec is None:
            continue
        stand_in = _Deferred(name)
        stand_in.__spec__ = spec
        stand_in.__file__ = spec.origin  # read by inspect (Bolt names its app so) without loading
        if spec.submodule_search_locations is not None:
            # A submodule imported first loads alone, and the package later reuses it: asked
            # for here, the package itself would load and then the submodule a second time.
            stand_in.__path__ = list(spec.submodule_search_locations)
        sys.modules[name] = stand_in


def _load(stand_in: _Deferred) -> types.ModuleType:
    name = stand_in.__name__
    with _loading:  # two threads reading it first load it once
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
            try:
                module = importlib.import_module(name)
            except BaseException:
                sys.modules[name] = stand_in
                raise
            # Submodules imported before the package loaded were bound on the stand-in.
            for key, value in vars(stand_in).items():
                if isinstance(value, types.ModuleType) and key not in vars(module):
                    setattr(module, key, value)
            return module
        return sys.modules.get(name) or importlib.import_module(name)
