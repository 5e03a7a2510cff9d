# Throwaway MariaDB (or MySQL) server for tests and benchmarks. Source this file, then call mariadb_cluster_start.
#
# mariadb_cluster_start: mariadb-install-db into a fresh temp dir, mariadbd listening on 127.0.0.1:<free port> and
# a unix socket in the same dir, a password user 'dqmon' (random password, all privileges) and database 'dqmon'.
# Exports:
#   DQMON_TEST_MYSQL_URL      mysql://dqmon:<password>@127.0.0.1:<port>/dqmon
#   DQMON_TEST_MYSQL_SOCKET   the server's unix socket
#   DQMON_TEST_MYSQL_DIR      the server's temp dir
# and adds to the EXIT trap (keeping one already set, e.g. the PostgreSQL cluster's) a stop that kills the server
# and removes the dir, whatever happens. mariadbd refuses to run as root: as root, the server belongs to the
# unprivileged 'mysql' OS user (created by Debian's mariadb-server package).

mariadb_cluster_bin() {
    local name
    for name in "$@"; do
        if command -v "$name" >/dev/null 2>&1; then command -v "$name"; return; fi
        if [ -x "/usr/sbin/$name" ]; then echo "/usr/sbin/$name"; return; fi
    done
    return 1
}

mariadb_cluster_available() {
    mariadb_cluster_bin mariadbd mysqld >/dev/null && mariadb_cluster_bin mariadb-install-db mysql_install_db >/dev/null \
        && mariadb_cluster_bin mariadb mysql >/dev/null
}

# The OS user that owns the server: 'mysql' when we are root, else ourselves.
mariadb_cluster_owner() {
    if [ "$(id -u)" = 0 ]; then echo mysql; else id -un; fi
}

mariadb_cluster_as_owner() {
    if [ "$(id -u)" = 0 ]; then
        (cd "$DQMON_TEST_MYSQL_DIR" && runuser -u mysql -- "$@")
    else
        (cd "$DQMON_TEST_MYSQL_DIR" && "$@")
    fi
}

# Runs SQL as the server's owner over the socket (unix_socket authentication, no password).
mariadb_cluster_sql() {
    mariadb_cluster_as_owner "$(mariadb_cluster_bin mariadb mysql)" --no-defaults -S "$DQMON_TEST_MYSQL_SOCKET" \
        -u "$(mariadb_cluster_owner)" -N -B -e "$1"
}

mariadb_cluster_stop() {
    if [ -n "${DQMON_TEST_MYSQL_DIR:-}" ] && [ -d "$DQMON_TEST_MYSQL_DIR" ]; then
        local pid attempt
        pid=$(cat "$DQMON_TEST_MYSQL_DIR/mariadbd.pid" 2>/dev/null || true)
        if [ -n "$pid" ]; then
            kill -TERM "$pid" 2>/dev/null || true
            for attempt in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
            kill -KILL "$pid" 2>/dev/null || true
        fi
        rm -rf "$DQMON_TEST_MYSQL_DIR"
    fi
}

mariadb_cluster_start() {
    local mariadbd install_db port password owner previous attempt
    mariadbd=$(mariadb_cluster_bin mariadbd mysqld) && install_db=$(mariadb_cluster_bin mariadb-install-db mysql_install_db) \
        || { echo "mariadb binaries not found" >&2; return 1; }
    owner=$(mariadb_cluster_owner)
    DQMON_TEST_MYSQL_DIR=$(mktemp -d "${TMPDIR:-/tmp}/dqmon-mariadb.XXXXXX")
    DQMON_TEST_MYSQL_SOCKET="$DQMON_TEST_MYSQL_DIR/mysqld.sock"
    export DQMON_TEST_MYSQL_DIR DQMON_TEST_MYSQL_SOCKET
    previous=$(trap -p EXIT | sed -E "s/^trap -- '(.*)' EXIT$/\1/")
    trap "mariadb_cluster_stop${previous:+; $previous}" EXIT
    trap 'exit 130' INT TERM
    chmod 0755 "$DQMON_TEST_MYSQL_DIR"
    if [ "$(id -u)" = 0 ]; then chown mysql: "$DQMON_TEST_MYSQL_DIR"; fi
    password=$(od -An -N12 -tx1 /dev/urandom | tr -d ' \n')
    port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])' 2>/dev/null || echo $((20000 + RANDOM % 20000)))
    mariadb_cluster_as_owner "$install_db" --no-defaults --datadir="$DQMON_TEST_MYSQL_DIR/data" --user="$owner" \
        --auth-root-authentication-method=socket --skip-test-db >"$DQMON_TEST_MYSQL_DIR/install.log" 2>&1 \
        || { cat "$DQMON_TEST_MYSQL_DIR/install.log" >&2; return 1; }
    mariadb_cluster_as_owner "$mariadbd" --no-defaults --datadir="$DQMON_TEST_MYSQL_DIR/data" \
        --socket="$DQMON_TEST_MYSQL_SOCKET" --port="$port" --bind-address=127.0.0.1 \
        --pid-file="$DQMON_TEST_MYSQL_DIR/mariadbd.pid" --log-error="$DQMON_TEST_MYSQL_DIR/server.log" \
        --skip-name-resolve --max-connections=300 --innodb-buffer-pool-size=128M --innodb-flush-log-at-trx-commit=0 \
        --skip-log-bin </dev/null >/dev/null 2>&1 &
    for attempt in $(seq 1 600); do
        if [ -S "$DQMON_TEST_MYSQL_SOCKET" ] && mariadb_cluster_sql "SELECT 1" >/dev/null 2>&1; then break; fi
        sleep 0.1
    done
    mariadb_cluster_sql "SELECT 1" >/dev/null || { cat "$DQMON_TEST_MYSQL_DIR/server.log" >&2; return 1; }
    mariadb_cluster_sql "CREATE DATABASE dqmon;
        CREATE USER 'dqmon'@'%' IDENTIFIED BY '$password'; GRANT ALL ON *.* TO 'dqmon'@'%' WITH GRANT OPTION;
        CREATE USER 'dqmon'@'localhost' IDENTIFIED BY '$password'; GRANT ALL ON *.* TO 'dqmon'@'localhost' WITH GRANT OPTION;" \
        || return 1
    DQMON_TEST_MYSQL_URL="mysql://dqmon:$password@127.0.0.1:$port/dqmon"
    export DQMON_TEST_MYSQL_URL
}
