# Throwaway PostgreSQL cluster for tests and benchmarks. Source this file, then call pg_cluster_start.
#
# pg_cluster_start: initdb in a fresh temp dir, listen on 127.0.0.1:<free port> (and a unix socket in the
# same dir), ssl=off, a password-authenticated superuser 'dqmon' (scram-sha-256 for host connections,
# random password), database 'dqmon'. Exports:
#   DQMON_TEST_POSTGRES_URL   postgres://dqmon:<password>@127.0.0.1:<port>/dqmon
#   DQMON_TEST_POSTGRES_DIR   the cluster's temp dir (socket dir too)
# and installs an EXIT trap that stops the server and removes the dir, whatever happens.
# PostgreSQL refuses to run as root: as root, the cluster belongs to the 'postgres' OS user.

pg_cluster_bin() {
    local name=$1
    if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
    local candidate
    for candidate in /usr/lib/postgresql/15/bin/"$name" /usr/lib/postgresql/*/bin/"$name"; do
        if [ -x "$candidate" ]; then echo "$candidate"; return; fi
    done
    return 1
}

pg_cluster_available() {
    pg_cluster_bin initdb >/dev/null && pg_cluster_bin pg_ctl >/dev/null
}

# Runs a command as the cluster's owner (postgres when we are root, else ourselves), from the cluster dir.
pg_cluster_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd "$DQMON_TEST_POSTGRES_DIR" && runuser -u postgres -- "$@")
    else
        (cd "$DQMON_TEST_POSTGRES_DIR" && "$@")
    fi
}

pg_cluster_stop() {
    if [ -n "${DQMON_TEST_POSTGRES_DIR:-}" ] && [ -d "$DQMON_TEST_POSTGRES_DIR" ]; then
        if [ -f "$DQMON_TEST_POSTGRES_DIR/data/postmaster.pid" ]; then
            pg_cluster_as_owner "$(pg_cluster_bin pg_ctl)" -D "$DQMON_TEST_POSTGRES_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
        fi
        rm -rf "$DQMON_TEST_POSTGRES_DIR"
    fi
}

pg_cluster_start() {
    local initdb pg_ctl port password
    initdb=$(pg_cluster_bin initdb) && pg_ctl=$(pg_cluster_bin pg_ctl) || { echo "postgres binaries not found" >&2; return 1; }
    DQMON_TEST_POSTGRES_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dqmon-pg.XXXXXX")
    export DQMON_TEST_POSTGRES_DIR
    trap pg_cluster_stop EXIT
    trap 'exit 130' INT TERM
    chmod 0755 "$DQMON_TEST_POSTGRES_DIR"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DQMON_TEST_POSTGRES_DIR"; fi
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
    printf '%s\n' "$password" > "$DQMON_TEST_POSTGRES_DIR/pwfile"
    if [ "$(id -u)" = 0 ]; then chown postgres: "$DQMON_TEST_POSTGRES_DIR/pwfile"; fi
    pg_cluster_as_owner "$initdb" -D "$DQMON_TEST_POSTGRES_DIR/data" -U dqmon --pwfile="$DQMON_TEST_POSTGRES_DIR/pwfile" \
        --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 --no-sync >"$DQMON_TEST_POSTGRES_DIR/initdb.log" 2>&1 \
        || { cat "$DQMON_TEST_POSTGRES_DIR/initdb.log" >&2; return 1; }
    rm -f "$DQMON_TEST_POSTGRES_DIR/pwfile"
    cat >>"$DQMON_TEST_POSTGRES_DIR/data/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$DQMON_TEST_POSTGRES_DIR'
ssl = off
fsync = off
synchronous_commit = off
full_page_writes = off
max_connections = 100
password_encryption = 'scram-sha-256'
CONF
    pg_cluster_as_owner "$pg_ctl" -D "$DQMON_TEST_POSTGRES_DIR/data" -l "$DQMON_TEST_POSTGRES_DIR/server.log" -w -t 60 start >/dev/null \
        || { cat "$DQMON_TEST_POSTGRES_DIR/server.log" >&2; return 1; }
    pg_cluster_as_owner "$(pg_cluster_bin psql)" -h "$DQMON_TEST_POSTGRES_DIR" -p "$port" -U dqmon -d postgres -qAt \
        -c "CREATE DATABASE dqmon" >/dev/null
    DQMON_TEST_POSTGRES_URL="postgres://dqmon:$password@127.0.0.1:$port/dqmon"
    export DQMON_TEST_POSTGRES_URL
}
