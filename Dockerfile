# syntax=docker/dockerfile:1
# Two stages: the builder turns the source into a wheel and installs it into a
# venv; the runtime stage gets only that venv, so no source tree, pip cache or
# build tooling ships in the image.

FROM python:3.11-slim AS builder
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python -m venv /opt/venv
WORKDIR /build
# README.md is the project's `readme` in pyproject.toml: the build needs it.
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip wheel --no-deps --wheel-dir /wheels . \
    && /opt/venv/bin/pip install /wheels/echotune-*.whl

FROM python:3.11-slim AS runtime
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    ECHOTUNE_HOST=0.0.0.0 \
    ECHOTUNE_PORT=8000 \
    ECHOTUNE_DATA_DIR=/app/var
RUN groupadd --system --gid 10001 echotune \
    && useradd --system --uid 10001 --gid echotune --home-dir /app --no-create-home \
       --shell /usr/sbin/nologin echotune
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The code stays root-owned and read-only to the app; only its data dir is writable.
RUN mkdir -p /app/var && chown echotune:echotune /app/var
USER echotune
EXPOSE 8000
# python rather than curl: the slim image has no curl. urlopen raises on a
# non-2xx answer or no answer, which exits non-zero.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/health/live' % os.environ.get('ECHOTUNE_PORT', '8000'), timeout=4)"]
CMD ["echotune", "serve"]
