# A private PostgreSQL server for the tests that need one: sourced by
# tests/e2e/t_pg_*.sh (after tests/e2e/lib.sh), never run on its own.
#
# Uses Debian's server binaries (/usr/lib/postgresql/*/bin, the newest),
# initdb into a fresh temporary folder, listens only on a unix socket in
# that folder on a non-default port, and is stopped by its pid in an EXIT
# trap, also when a test fails. As root (CI) the server runs as the
# unprivileged `postgres` user that Debian's package creates; as anyone else
# it runs as that user. Sets PGHOST, PGPORT, PGUSER and PGDATABASE, so that
# `moneytrail ... --db ''` and psql reach it through libpq's environment.
# Provides pg_sql and $PSQL (psql -XAtq), pg_stop, pg_start, PG_DIR, PG_BIN.

PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$PG_BIN" ] || [ ! -x "$PG_BIN/postgres" ]; then
    echo "not ok - PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin (run: make deps)"
    exit 1
fi
PG_DIR=$(mktemp -d "${TMPDIR:-/tmp}/mt-pg.XXXXXX")
PG_PORT=${MT_PG_PORT:-54329}
PG_PID=
PG_AS=
if [ "$(id -u)" = 0 ]; then
    id postgres >/dev/null 2>&1 || { echo "not ok - as root the server needs the 'postgres' user (make deps)"; exit 1; }
    PG_AS="runuser -u postgres --"
    chmod 755 "$PG_DIR"
fi

pg_stop() {
    if [ -n "$PG_PID" ] && kill -0 "$PG_PID" 2>/dev/null; then
        kill -INT "$PG_PID" 2>/dev/null # fast shutdown
        n=0
        while kill -0 "$PG_PID" 2>/dev/null && [ $n -lt 100 ]; do
            sleep 0.1
            n=$((n + 1))
        done
        kill -KILL "$PG_PID" 2>/dev/null
    fi
    PG_PID=
}

pg_cleanup() {
    pg_stop
    [ -n "${PG_EXTRA_CLEANUP:-}" ] && eval "$PG_EXTRA_CLEANUP"
    rm -rf "$PG_DIR" "${TMP:-}"
}
trap pg_cleanup EXIT
# A signal ends the script through exit, so that the EXIT trap stops the
# server (SIGPIPE too: `sh t_pg_x.sh | head` must not leave it running).
trap 'exit 129' HUP
trap 'exit 130' INT
trap 'exit 141' PIPE
trap 'exit 143' TERM

mkdir "$PG_DIR/data" "$PG_DIR/sock"
[ -n "$PG_AS" ] && chown postgres "$PG_DIR/data" "$PG_DIR/sock"
if ! $PG_AS "$PG_BIN/initdb" -D "$PG_DIR/data" -U mt -A trust -E UTF8 --locale=C --no-sync \
    >"$PG_DIR/initdb.log" 2>&1; then
    echo "not ok - initdb failed:"
    sed 's/^/#   /' "$PG_DIR/initdb.log"
    exit 1
fi
# The log goes to a file the server user can write.
touch "$PG_DIR/server.log"
[ -n "$PG_AS" ] && chown postgres "$PG_DIR/server.log"
# pg_start: starts the server (again, after pg_stop) and waits until it
# accepts connections.
pg_start() {
    $PG_AS "$PG_BIN/postgres" -D "$PG_DIR/data" -k "$PG_DIR/sock" -p "$PG_PORT" \
        -c listen_addresses='' -c fsync=off -c synchronous_commit=off -c full_page_writes=off \
        -c max_wal_size=1GB -c shared_buffers=128MB >>"$PG_DIR/server.log" 2>&1 &
    PG_PID=$!
    n=0
    until "$PG_BIN/pg_isready" -q 2>/dev/null; do
        n=$((n + 1))
        if [ $n -gt 100 ] || ! kill -0 "$PG_PID" 2>/dev/null; then
            echo "not ok - the test server did not start:"
            sed 's/^/#   /' "$PG_DIR/server.log"
            exit 1
        fi
        sleep 0.1
    done
    # With runuser the pid is runuser's; the server is its child. Stop the
    # server itself, by the pid it wrote.
    PG_PID=$(head -1 "$PG_DIR/data/postmaster.pid")
}
export PGHOST="$PG_DIR/sock" PGPORT="$PG_PORT" PGUSER=mt PGDATABASE=postgres
unset PGPASSWORD PGSERVICE PGSERVICEFILE PGOPTIONS
pg_start

# $PSQL for command strings run by `check ... sh -c "..."`, pg_sql in the script.
PSQL="$PG_BIN/psql -XAtq -v ON_ERROR_STOP=1"
pg_sql() {
    $PSQL "$@"
}
