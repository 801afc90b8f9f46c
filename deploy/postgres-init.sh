#!/bin/sh
# Runs once, when the PostgreSQL volume is first created (the postgres image runs docker-entrypoint-initdb.d/*.sh
# as its `postgres` user, with the container's environment). Least privilege (issue 12, item 5):
#   - POSTGRES_USER (wegwijzer_admin) is the superuser; only this script and the health check use it.
#   - wegwijzer_rasa owns wegwijzer_tracker (the SQL tracker store: masked conversations) and nothing else.
#   - wegwijzer_api owns wegwijzer_api (events without text, API keys as hashes) and nothing else.
#   - CONNECT on both databases is revoked from PUBLIC, so the API's role cannot even open the tracker
#     database, and Rasa's role cannot open the API's. `make deploy-test` proves the first (docs/operations.md).
# Rasa creates its `events` table on first start, as its owner; `python -m actions.retention` (same role) adds
# the index on events.timestamp.
set -eu
: "${API_DB_PASSWORD:?set API_DB_PASSWORD}"
: "${RASA_DB_PASSWORD:?set RASA_DB_PASSWORD}"
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
    -v api_password="$API_DB_PASSWORD" -v rasa_password="$RASA_DB_PASSWORD" <<'SQL'
CREATE ROLE wegwijzer_api LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'api_password';
CREATE ROLE wegwijzer_rasa LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'rasa_password';
CREATE DATABASE wegwijzer_api OWNER wegwijzer_api;
CREATE DATABASE wegwijzer_tracker OWNER wegwijzer_rasa;
REVOKE ALL ON DATABASE wegwijzer_api FROM PUBLIC;
REVOKE ALL ON DATABASE wegwijzer_tracker FROM PUBLIC;
SQL
