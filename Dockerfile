# aicost Slack bot: `docker build -t aicost .` then run with the settings of .env.example.
# Two stages: the first builds a virtual environment from pyproject.toml, the second holds only
# that environment on a slim Python and runs it as an unprivileged user. No secret enters the
# image: every token comes from the environment at run time.

# Tagged rather than pinned by digest so rebuilds pick up Debian security fixes; pin a digest
# here if your registry policy asks for reproducible bases.
FROM python:3.11-slim-bookworm AS build
WORKDIR /src
COPY pyproject.toml README.md LICENSE ./
COPY bot bot
COPY estimator estimator
COPY deploy/image deploy/image
# deploy/image/install.sh is the single install step; tests/deploy/test_image.py runs the same script.
RUN sh deploy/image/install.sh /opt/aicost

FROM python:3.11-slim-bookworm
COPY --from=build /opt/aicost /opt/aicost
# MPLCONFIGDIR: matplotlib (the chart worker) keeps its font cache in the writable /tmp.
ENV PATH="/opt/aicost/bin:$PATH" \
    MPLCONFIGDIR=/tmp/matplotlib \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PORT=3000
# A numeric user, so Kubernetes' runAsNonRoot can verify it; it owns nothing in the image, and
# nothing needs writing: the root filesystem can be mounted read-only.
USER 10001:10001
WORKDIR /opt/aicost
EXPOSE 3000
# Liveness only: a container waiting out a Slack or Redis outage is healthy (see /readyz).
HEALTHCHECK --interval=30s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python", "/opt/aicost/healthcheck.py"]
CMD ["python", "-m", "bot"]
