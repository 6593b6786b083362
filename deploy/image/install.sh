#!/bin/sh
# The image's install step. The Dockerfile RUNs this script and tests/deploy/test_image.py runs it too,
# so what CI checks is what the image builds: a virtual environment at $1 holding aicost and its
# runtime dependencies, resolved from pyproject.toml (no dev extra, no source tree needed after).
set -eu
venv="$1"
python -m venv "$venv"
# pip compiles the .pyc files here: the running container's filesystem is read-only.
"$venv/bin/python" -m pip install --no-cache-dir --disable-pip-version-check .
cp deploy/image/healthcheck.py "$venv/healthcheck.py"
