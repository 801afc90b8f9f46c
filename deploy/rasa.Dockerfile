# Rasa 3.6 runtime image (Python 3.10): Rasa, the action server, the outbox relay and the retention job.
# Build from the repository root AFTER `make train` (the trained model is copied in, never trained here), with
# BuildKit (Docker 20.10 or newer; RUN --mount needs it):
#   DOCKER_BUILDKIT=1 docker build -f deploy/rasa.Dockerfile -t wegwijzer-rasa .
# Optional BuildKit secrets, used by the pip steps only and never stored in a layer or in the image history:
#   --secret id=pip_conf,src=<pip.conf with the index to use>  --secret id=pip_cert,src=<CA bundle>
# No `# syntax=` line: it would make BuildKit pull its Dockerfile frontend from a registry; the built-in one
# is enough. `make deploy-test` builds this file on a local base (BASE_IMAGE) and runs it (docs/operations.md).
ARG BASE_IMAGE=python:3.10-slim-bookworm
FROM ${BASE_IMAGE}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    RASA_TELEMETRY_ENABLED=false \
    HOME=/tmp \
    MPLCONFIGDIR=/tmp/matplotlib \
    TF_CPP_MIN_LOG_LEVEL=2

WORKDIR /app

# Dependencies first, so a code change does not reinstall TensorFlow.
COPY requirements/rasa.lock requirements/rasa.lock
RUN --mount=type=secret,id=pip_conf --mount=type=secret,id=pip_cert \
    if [ -f /run/secrets/pip_conf ]; then export PIP_CONFIG_FILE=/run/secrets/pip_conf; fi \
    && if [ -f /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi \
    && pip install 'setuptools<70' wheel && pip install -r requirements/rasa.lock

COPY pyproject.toml README.md ./
COPY knowledge knowledge
COPY shared shared
COPY actions actions
COPY bot/__init__.py bot/__init__.py
COPY bot/input_text.py bot/log_redaction.py bot/messages.py bot/payload_guard.py bot/rest_contract.py bot/
COPY bot/connectors bot/connectors
COPY bot/nlu bot/nlu
COPY scripts/build_spacy_nl.py scripts/build_spacy_nl.py
# --no-build-isolation: the setuptools installed above builds the project, so this step needs no index.
RUN pip install --no-deps --no-build-isolation . && python scripts/build_spacy_nl.py build/spacy_nl

COPY config.yml domain.yml credentials.yml endpoints.yml endpoints.prod.yml endpoints.sql.yml ./
COPY models/wegwijzer.tar.gz models/wegwijzer.tar.gz

RUN useradd --system --uid 10001 --no-create-home wegwijzer \
    && mkdir -p /var/lib/wegwijzer /app/.rasa \
    && chown wegwijzer /var/lib/wegwijzer /app/.rasa
USER 10001

EXPOSE 5005 5055
# bot.connectors.rasa_main installs the measured speed-ups (BENCHMARKS.md), then runs Rasa's own command line.
CMD ["python", "-m", "bot.connectors.rasa_main", "run", "--model", "models/wegwijzer.tar.gz", "--interface", "0.0.0.0", "--port", "5005", \
     "--credentials", "credentials.yml", "--endpoints", "endpoints.prod.yml"]
