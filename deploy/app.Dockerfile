# App runtime image (Python 3.11): the statistics API with its dashboard, the Telegram and WhatsApp adapters and
# the staff page. Build from the repository root with BuildKit (Docker 20.10 or newer; RUN --mount needs it):
#   DOCKER_BUILDKIT=1 docker build -f deploy/app.Dockerfile -t wegwijzer-app .
# Optional BuildKit secrets for the pip step (pip_conf, pip_cert) as in deploy/rasa.Dockerfile; no `# syntax=`
# line for the same reason. `make deploy-test` builds it on a local base (BASE_IMAGE): docs/operations.md.
ARG BASE_IMAGE=python:3.11-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/tmp

WORKDIR /app

COPY requirements/app.lock requirements/app.lock
RUN --mount=type=secret,id=pip_conf --mount=type=secret,id=pip_cert \
    if [ -f /run/secrets/pip_conf ]; then export PIP_CONFIG_FILE=/run/secrets/pip_conf; fi \
    && if [ -f /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && pip install -r requirements/app.lock

COPY pyproject.toml README.md ./
COPY knowledge knowledge
COPY shared shared
COPY api api
COPY bot bot
# The build backend (setuptools) comes from the index too, so this step gets the same secrets.
RUN --mount=type=secret,id=pip_conf --mount=type=secret,id=pip_cert \
    if [ -f /run/secrets/pip_conf ]; then export PIP_CONFIG_FILE=/run/secrets/pip_conf; fi \
    && if [ -f /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && pip install --no-deps .

RUN useradd --system --uid 10001 --no-create-home wegwijzer
USER 10001

EXPOSE 8000 8081 8082 8090
CMD ["python", "-m", "api", "serve"]
