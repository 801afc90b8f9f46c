#!/bin/sh
# Stand-in for the entrypoint of the `postgres` registry image, for `make deploy-test` only (that image cannot be
# pulled here; the test runs Debian's PostgreSQL 15 from the local base image). It does what the compose file
# relies on: on an empty volume, initdb with POSTGRES_USER/POSTGRES_PASSWORD (password login over TCP, trust on
# the local socket, as the registry image), create POSTGRES_DB unless it is `postgres`, run
# /docker-entrypoint-initdb.d/*.sh and *.sql as the postgres user; then run the server with the given arguments.
set -eu
PGBIN=/usr/lib/postgresql/15/bin
export PGDATA=/var/lib/postgresql/data PGHOST=/var/run/postgresql
mkdir -p "$PGDATA" "$PGHOST"
chown postgres:postgres "$PGDATA" "$PGHOST"
chmod 700 "$PGDATA"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
    pwfile=$(mktemp)
    printf '%s\n' "$POSTGRES_PASSWORD" > "$pwfile"
    chown postgres "$pwfile"
    runuser -u postgres -- "$PGBIN/initdb" -D "$PGDATA" -U "$POSTGRES_USER" --pwfile="$pwfile" -E UTF8 \
        --auth-local=trust --auth-host=scram-sha-256 >/dev/null
    rm -f "$pwfile"
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -o "-c listen_addresses='' -k $PGHOST" -w start >/dev/null
    if [ "${POSTGRES_DB:-postgres}" != postgres ]; then
        runuser -u postgres -- psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d postgres \
            -c "CREATE DATABASE \"$POSTGRES_DB\""
    fi
    for f in /docker-entrypoint-initdb.d/*; do
        case "$f" in
            *.sh) runuser -u postgres -- sh "$f" ;;
            *.sql) runuser -u postgres -- psql -v ON_ERROR_STOP=1 -U "$POSTGRES_USER" -d "${POSTGRES_DB:-postgres}" -f "$f" ;;
        esac
    done
    runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDATA" -m fast -w stop >/dev/null
    echo "deploy-test postgres: initialised"
fi
exec runuser -u postgres -- "$PGBIN/postgres" -D "$PGDATA" -k "$PGHOST" "$@"
