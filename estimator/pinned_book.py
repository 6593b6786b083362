"""A price book with some figures pinned to one end of their range, for the sensitivity.

An estimate's low end reads every figure's low and its high end every figure's high. To see what
one figure (salaries, a GPU's hourly price, the support contact rate) does to the first year, the
sensitivity prices the lines that read it with the figure at its low on both ends, then at its
high: `pinned(book, names, low=True)`. Everything else reads through to the book it was made
from. Made once per (book, figures, end) and kept, since the cost modules' caches key on the book.
"""

from __future__ import annotations

import dataclasses
from functools import lru_cache

from estimator.price_book import PriceBook

# Tables priced by hour on each end (`gpu.<name>`): the two fields pinned together.
_HOURLY = ("hourly_low", "hourly_high")


class PinnedBook(PriceBook):
    """`base` with the figures and tables in `names` read at one end of their range."""

    __slots__ = ("base",)

    def __init__(self, base: PriceBook, names: tuple[str, ...], *, low: bool) -> None:
        super().__init__(base.overrides)
        self.base = base
        entries = self.entry.__self__  # type: ignore[attr-defined]  # the entry memo
        for name in names:
            if name.startswith("gpu."):
                table = dict(base.entry(name))
                table["hourly_low"] = table["hourly_high"] = table[_HOURLY[0 if low else 1]]
                entries[name] = table
                continue
            figure = base.figure(name)
            end = figure.low if low else figure.high
            # Where it came from stays the base's: a basis names own prices as it would.
            self._resolved[name] = (
                dataclasses.replace(figure, low=end, high=end),
                base.origin(name),
            )
        self._lay_out()  # its `figures` and `tables` with the pins

    def __repr__(self) -> str:
        return f"PinnedBook({self.base!r})"


@lru_cache(maxsize=1024)
def pinned(book: PriceBook, names: tuple[str, ...], *, low: bool) -> PinnedBook:
    """`book` with `names` at their low (`low=True`) or high end, made once and kept."""
    return PinnedBook(book, names, low=low)
