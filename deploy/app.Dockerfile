# syntax=docker/dockerfile:1
# App runtime image (Python 3.11): the statistics API with its dashboard, the Telegram and WhatsApp adapters and
# the staff page. Build from the repository root:
#   docker build -f deploy/app.Dockerfile -t wegwijzer-app .
# Not built on the development machine (no Docker daemon there); see docs/operations.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOME=/tmp

WORKDIR /app

COPY requirements/app.lock requirements/app.lock
RUN pip install -r requirements/app.lock

COPY pyproject.toml README.md ./
COPY knowledge knowledge
COPY shared shared
COPY api api
COPY bot bot
RUN pip install --no-deps .

RUN useradd --system --uid 10001 --no-create-home wegwijzer
USER 10001

EXPOSE 8000 8081 8082 8090
CMD ["python", "-m", "api", "serve"]
