#!/bin/sh
# The PostgreSQL service of deploy/compose.yaml: Debian's postgresql, a database and a role for rasd, listening on
# every interface of the container (compose's network; publish the port only where the workers need it).
# Environment: RASD_PG_PASSWORD (required), RASD_PG_DB (default rasd), RASD_PG_DATA (default /var/lib/rasd-pg),
# RASD_PG_PORT (default 5432). Run as root; the server runs as the postgres user.
set -eu
: "${RASD_PG_PASSWORD:?set RASD_PG_PASSWORD}"
DB=${RASD_PG_DB:-rasd}
BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
DATA=${RASD_PG_DATA:-/var/lib/rasd-pg}
PORT=${RASD_PG_PORT:-5432}
mkdir -p "$DATA" && chown postgres "$DATA" && chmod 700 "$DATA"
if [ ! -s "$DATA/PG_VERSION" ]; then
    printf '%s\n' "$RASD_PG_PASSWORD" > /tmp/pw && chown postgres /tmp/pw
    su postgres -c "$BIN/initdb -D $DATA -U rasd --pwfile=/tmp/pw --auth=scram-sha-256 -E UTF8 --locale=C.UTF-8" >/dev/null
    rm -f /tmp/pw
    cat >> "$DATA/postgresql.conf" <<CONF
listen_addresses = '*'
port = $PORT
shared_buffers = 256MB
max_wal_size = 4GB
CONF
    echo "host all all 0.0.0.0/0 scram-sha-256" >> "$DATA/pg_hba.conf"
    su postgres -c "$BIN/pg_ctl -D $DATA -w start" >/dev/null
    PGPASSWORD=$RASD_PG_PASSWORD psql -q -h 127.0.0.1 -p "$PORT" -U rasd -d postgres -c "CREATE DATABASE $DB"
    su postgres -c "$BIN/pg_ctl -D $DATA -w stop" >/dev/null
fi
exec su postgres -c "exec $BIN/postgres -D $DATA"
