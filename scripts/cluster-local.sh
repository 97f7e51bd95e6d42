#!/usr/bin/env bash
# A local rasd cluster on 127.0.0.1: a PostgreSQL database and a 3-node NATS JetStream cluster, on ports of its own.
#
#   eval "$(scripts/cluster-local.sh up [N])"   # start (or find running); prints `export RASD_DB=…` / `export RASD_NATS=…`
#   scripts/cluster-local.sh down               # stop what `up` started (safe to run twice)
#   scripts/cluster-local.sh down --purge       # … and delete the data directories
#   scripts/cluster-local.sh status             # what runs
#
# Faults, for tests (of a cluster `up` started):
#   scripts/cluster-local.sh kill-node K        # SIGKILL NATS node K (1..3), as a crashed machine
#   scripts/cluster-local.sh start-node K…      # start NATS node(s) K again (their JetStream data is kept)
#   scripts/cluster-local.sh pg-stop            # stop PostgreSQL (fast: open connections are cut)
#   scripts/cluster-local.sh pg-start           # start it again
#   scripts/cluster-local.sh pg-restart         # both
#
# N is the number of extraction workers (`rasd worker`, issue 14) to start, default 0: the binary is $RASD_BIN, else
# `rasd` on PATH, else target/release/rasd, else target/debug/rasd. Their logs and pid files are in
# $RASD_CLUSTER_DIR/workers; `down` stops them (SIGTERM: each finishes or hands back its shard) before the servers.
#
# postgresql and nats-server are installed from Debian's packages (apt-get) when missing. Everything listens on
# 127.0.0.1 only; the data, logs and pid files live in $RASD_CLUSTER_DIR (default /tmp/rasd-cluster). Ports, from
# $RASD_CLUSTER_PORT (default 55400): PostgreSQL base+32, NATS clients base+1..3, routes base+11..13, monitoring
# base+21..23. PostgreSQL refuses to run as root: as root, it runs as the `postgres` user (or `nobody`), which owns
# its data directory. Messages go to stderr; only the export lines go to stdout, for `eval`.
set -euo pipefail

DIR=${RASD_CLUSTER_DIR:-/tmp/rasd-cluster}
BASE=${RASD_CLUSTER_PORT:-55400}
PG_PORT=$((BASE + 32))
PG_USER=rasd
PG_PASSWORD=rasd
PG_DB=rasd
NODES=3

say() { echo "cluster-local: $*" >&2; }
die() {
    say "error: $*"
    exit 1
}

usage() {
    sed -n '2,24p' "$0" | sed 's/^# \{0,1\}//' >&2
}

# The user PostgreSQL runs as: ourselves, unless we are root.
pg_os_user() {
    if [ "$(id -u)" != 0 ]; then
        id -un
    elif id postgres >/dev/null 2>&1; then
        echo postgres
    else
        echo nobody
    fi
}

# Runs a command as the PostgreSQL user (directly when that is us).
as_pg() {
    local user
    user=$(pg_os_user)
    if [ "$user" = "$(id -un)" ]; then
        "$@"
    else
        runuser -u "$user" -- "$@"
    fi
}

apt_install() {
    if [ "$(id -u)" != 0 ]; then
        if command -v sudo >/dev/null 2>&1; then
            sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
            return
        fi
        die "$* missing, and installing it needs root (apt-get install $*)"
    fi
    say "installing $* (apt-get)"
    apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >&2
}

# The directory of PostgreSQL's server programs (initdb, pg_ctl, postgres), the newest version installed.
pg_bin() {
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
    if [ -n "$d" ] && [ -x "$d/initdb" ]; then
        echo "$d"
    elif command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
        dirname "$(command -v initdb)"
    fi
}

ensure_packages() {
    if [ -z "$(pg_bin)" ] || ! command -v psql >/dev/null 2>&1; then
        apt_install postgresql
    fi
    [ -n "$(pg_bin)" ] || die "PostgreSQL's server programs (initdb, pg_ctl) are not found after installing postgresql"
    if ! command -v nats-server >/dev/null 2>&1; then
        apt_install nats-server
    fi
    command -v nats-server >/dev/null 2>&1 || die "nats-server is not found after installing it"
    # The Debian package starts a system-wide server on the default port; ours are on ports of their own.
}

# Waits until `check` succeeds, up to $2 seconds.
wait_for() {
    local what=$1 secs=$2
    shift 2
    local i
    for ((i = 0; i < secs * 5; i++)); do
        if "$@" >/dev/null 2>&1; then
            return 0
        fi
        sleep 0.2
    done
    die "$what was not ready after ${secs} s (logs in $DIR)"
}

http_ok() {
    # curl when present, else bash's /dev/tcp (HTTP/1.0, status line only).
    local port=$1 path=$2
    if command -v curl >/dev/null 2>&1; then
        curl -fsS --max-time 2 "http://127.0.0.1:$port$path"
    else
        exec 3<>"/dev/tcp/127.0.0.1/$port" || return 1
        printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$path" >&3
        local status
        read -r status <&3 || status=
        exec 3<&- 3>&-
        [[ $status == *" 200 "* ]]
    fi
}

js_leader() {
    command -v curl >/dev/null 2>&1 || return 0
    curl -fsS --max-time 2 "http://127.0.0.1:$1/jsz" | grep -q '"leader": *"rasd-n'
}

pg_up() {
    local bin user data
    bin=$(pg_bin)
    user=$(pg_os_user)
    data=$DIR/pg/data
    mkdir -p "$DIR/pg"
    chmod 755 "$DIR" "$DIR/pg"
    chown "$user" "$DIR/pg"
    if [ ! -s "$data/PG_VERSION" ]; then
        say "initdb $data (as $user)"
        local pw=$DIR/pg/.pw
        printf '%s\n' "$PG_PASSWORD" >"$pw"
        chown "$user" "$pw"
        as_pg "$bin/initdb" -D "$data" -U "$PG_USER" --pwfile="$pw" -E UTF8 --locale=C \
            --auth-local=trust --auth-host=scram-sha-256 >"$DIR/pg/initdb.log" 2>&1 ||
            die "initdb failed; see $DIR/pg/initdb.log"
        rm -f "$pw"
        # Bulk loads (rasd migrate, workers) write a lot of WAL: fewer forced checkpoints.
        cat >>"$data/postgresql.conf" <<EOF
# scripts/cluster-local.sh
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$DIR/pg'
max_wal_size = 4GB
shared_buffers = 256MB
EOF
    fi
    if as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        say "PostgreSQL already running on 127.0.0.1:$PG_PORT"
    else
        say "starting PostgreSQL on 127.0.0.1:$PG_PORT"
        as_pg "$bin/pg_ctl" -D "$data" -l "$DIR/pg/server.log" -w -t 60 start >/dev/null ||
            die "PostgreSQL did not start; see $DIR/pg/server.log"
    fi
    wait_for "PostgreSQL" 60 "$bin/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT"
    head -n 1 "$data/postmaster.pid" >"$DIR/pg.pid"
    local exists
    exists=$(PGPASSWORD=$PG_PASSWORD psql -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -tAc \
        "SELECT 1 FROM pg_database WHERE datname = '$PG_DB'")
    if [ "$exists" != 1 ]; then
        PGPASSWORD=$PG_PASSWORD psql -q -h 127.0.0.1 -p "$PG_PORT" -U "$PG_USER" -d postgres -c "CREATE DATABASE $PG_DB" >&2
    fi
}

nats_conf() {
    local i=$1 j routes=""
    for ((j = 1; j <= NODES; j++)); do
        routes+="    nats-route://127.0.0.1:$((BASE + 10 + j))"$'\n'
    done
    cat <<EOF
# scripts/cluster-local.sh: node $i of $NODES
server_name: rasd-n$i
listen: 127.0.0.1:$((BASE + i))
http: 127.0.0.1:$((BASE + 20 + i))
jetstream {
    store_dir: "$DIR/nats/n$i"
    max_memory_store: 256MB
    max_file_store: 8GB
}
cluster {
    name: rasd-local
    listen: 127.0.0.1:$((BASE + 10 + i))
    routes: [
$routes    ]
}
EOF
}

alive() {
    [ -s "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

nats_start_node() {
    local i=$1
    mkdir -p "$DIR/nats/n$i"
    nats_conf "$i" >"$DIR/nats/n$i.conf"
    if alive "$DIR/nats/n$i.pid"; then
        say "NATS node $i already running (127.0.0.1:$((BASE + i)))"
        return
    fi
    say "starting NATS node $i on 127.0.0.1:$((BASE + i)) (JetStream in $DIR/nats/n$i)"
    setsid nats-server -c "$DIR/nats/n$i.conf" -P "$DIR/nats/n$i.pid" -l "$DIR/nats/n$i.log" \
        </dev/null >/dev/null 2>&1 &
    # nats-server writes its pid file itself; record ours too until it does.
    echo $! >"$DIR/nats/n$i.pid"
}

nats_wait_node() {
    local i=$1
    # Ready: JetStream enabled on the node, then the node is current with the cluster's meta leader.
    wait_for "NATS node $i (JetStream)" 60 http_ok $((BASE + 20 + i)) "/healthz?js-enabled-only=true"
    wait_for "NATS node $i (JetStream cluster)" 60 http_ok $((BASE + 20 + i)) "/healthz"
}

nats_up() {
    local i
    mkdir -p "$DIR/nats"
    for ((i = 1; i <= NODES; i++)); do
        nats_start_node "$i"
    done
    for ((i = 1; i <= NODES; i++)); do
        nats_wait_node "$i"
    done
    # And the JetStream meta group has elected its leader.
    wait_for "the JetStream meta leader" 60 js_leader $((BASE + 21))
}

node_arg() {
    [[ ${1:-} =~ ^[1-9]$ ]] && [ "$1" -le "$NODES" ] || die "K must be a node number, 1 to $NODES, not '${1:-}'"
}

kill_node() {
    local i=$1 pf pid
    node_arg "$i"
    pf=$DIR/nats/n$i.pid
    alive "$pf" || die "NATS node $i is not running"
    pid=$(cat "$pf")
    say "killing NATS node $i (pid $pid, SIGKILL)"
    kill -9 "$pid"
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    rm -f "$pf"
}

start_nodes() {
    local i
    [ $# -gt 0 ] || die "start-node needs a node number, 1 to $NODES"
    for i in "$@"; do
        node_arg "$i"
        [ -s "$DIR/nats/n$i.conf" ] || die "no NATS node $i in $DIR: run \`up\` first"
    done
    # All started before waiting: a node is ready only once a quorum of the cluster runs.
    for i in "$@"; do
        nats_start_node "$i"
    done
    for i in "$@"; do
        nats_wait_node "$i"
    done
    wait_for "the JetStream meta leader" 60 js_leader $((BASE + $1 + 20))
}

pg_stop() {
    local bin
    bin=$(pg_bin)
    [ -s "$DIR/pg/data/PG_VERSION" ] || die "no PostgreSQL in $DIR: run \`up\` first"
    say "stopping PostgreSQL (fast)"
    as_pg "$bin/pg_ctl" -D "$DIR/pg/data" -m fast -w -t 60 stop >/dev/null
    rm -f "$DIR/pg.pid"
}

pg_start() {
    [ -s "$DIR/pg/data/PG_VERSION" ] || die "no PostgreSQL in $DIR: run \`up\` first"
    pg_up
}

rasd_bin() {
    local root
    root=$(cd "$(dirname "$0")/.." && pwd)
    if [ -n "${RASD_BIN:-}" ]; then
        echo "$RASD_BIN"
    elif command -v rasd >/dev/null 2>&1; then
        command -v rasd
    elif [ -x "$root/target/release/rasd" ]; then
        echo "$root/target/release/rasd"
    elif [ -x "$root/target/debug/rasd" ]; then
        echo "$root/target/debug/rasd"
    fi
}

workers_up() {
    local n=$1 bin i
    bin=$(rasd_bin)
    [ -n "$bin" ] || die "no rasd binary for the workers: build it (cargo build --release) or set RASD_BIN"
    mkdir -p "$DIR/workers"
    eval "$(urls)"
    for ((i = 1; i <= n; i++)); do
        if alive "$DIR/workers/w$i.pid"; then
            say "worker $i already running (pid $(cat "$DIR/workers/w$i.pid"))"
            continue
        fi
        say "starting worker $i ($bin worker; log $DIR/workers/w$i.log)"
        RASD_DB=$RASD_DB RASD_NATS=$RASD_NATS setsid "$bin" worker </dev/null >>"$DIR/workers/w$i.log" 2>&1 &
        echo $! >"$DIR/workers/w$i.pid"
    done
}

workers_down() {
    local pf pid
    for pf in "$DIR"/workers/w*.pid; do
        [ -e "$pf" ] || continue
        if alive "$pf"; then
            pid=$(cat "$pf")
            say "stopping worker $(basename "$pf" .pid) (pid $pid)"
            kill -TERM "$pid" 2>/dev/null || true
            for _ in $(seq 1 150); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pf"
    done
}

urls() {
    local i nats=""
    for ((i = 1; i <= NODES; i++)); do
        nats+="${nats:+,}nats://127.0.0.1:$((BASE + i))"
    done
    echo "export RASD_DB=postgres://$PG_USER:$PG_PASSWORD@127.0.0.1:$PG_PORT/$PG_DB"
    echo "export RASD_NATS=$nats"
}

up() {
    local workers=${1:-0}
    [[ $workers =~ ^[0-9]+$ ]] || die "N (workers) must be a number, not '$workers'"
    ensure_packages
    mkdir -p "$DIR"
    pg_up
    nats_up
    if [ "$workers" -gt 0 ]; then
        workers_up "$workers"
    fi
    say "up: PostgreSQL 127.0.0.1:$PG_PORT, NATS JetStream 127.0.0.1:$((BASE + 1))-$((BASE + NODES)); data in $DIR"
    urls
}

down() {
    local purge=${1:-}
    local i pid bin
    workers_down
    for ((i = 1; i <= NODES; i++)); do
        local pf=$DIR/nats/n$i.pid
        if alive "$pf"; then
            pid=$(cat "$pf")
            say "stopping NATS node $i (pid $pid)"
            kill "$pid" 2>/dev/null || true
            for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
            kill -9 "$pid" 2>/dev/null || true
        fi
        rm -f "$pf"
    done
    bin=$(pg_bin)
    if [ -n "$bin" ] && [ -s "$DIR/pg/data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$DIR/pg/data" status >/dev/null 2>&1; then
        say "stopping PostgreSQL (127.0.0.1:$PG_PORT)"
        as_pg "$bin/pg_ctl" -D "$DIR/pg/data" -m fast -w -t 60 stop >/dev/null
    fi
    rm -f "$DIR/pg.pid"
    if [ "$purge" = --purge ]; then
        say "deleting $DIR"
        rm -rf "$DIR"
    fi
    say "down"
}

status() {
    local i bin pf
    bin=$(pg_bin)
    if [ -n "$bin" ] && [ -s "$DIR/pg/data/PG_VERSION" ] && as_pg "$bin/pg_ctl" -D "$DIR/pg/data" status >/dev/null 2>&1; then
        say "PostgreSQL: running on 127.0.0.1:$PG_PORT"
    else
        say "PostgreSQL: not running"
    fi
    for ((i = 1; i <= NODES; i++)); do
        if alive "$DIR/nats/n$i.pid"; then
            say "NATS node $i: running on 127.0.0.1:$((BASE + i)) (pid $(cat "$DIR/nats/n$i.pid"))"
        else
            say "NATS node $i: not running"
        fi
    done
    for pf in "$DIR"/workers/w*.pid; do
        [ -e "$pf" ] || continue
        if alive "$pf"; then
            say "worker $(basename "$pf" .pid): running (pid $(cat "$pf"))"
        else
            say "worker $(basename "$pf" .pid): not running"
        fi
    done
}

case "${1:-}" in
up) up "${2:-0}" ;;
down) down "${2:-}" ;;
status) status ;;
env) urls ;;
kill-node) kill_node "${2:-}" ;;
start-node)
    shift
    start_nodes "$@"
    ;;
pg-stop) pg_stop ;;
pg-start) pg_start ;;
pg-restart)
    pg_stop
    pg_start
    ;;
-h | --help | help) usage ;;
*)
    usage
    exit 2
    ;;
esac
