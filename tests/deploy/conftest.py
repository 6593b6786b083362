"""The deployment tier: the container image, compose file and Kubernetes manifests, checked with
the tools that use them (hadolint, docker, kubectl) and by running what they start. All are
marked `e2e`; `pytest -m "not e2e"` skips them."""

from pathlib import Path

import pytest

HERE = Path(__file__).parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.is_relative_to(HERE):
            item.add_marker(pytest.mark.e2e)
