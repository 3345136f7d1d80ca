# PostgreSQL on loopback, from Debian's package: the backend's database in tests
# and benchmarks, and (with the platform) the services' databases and the
# OpenTofu state. Sourced; needs common.sh. Data, socket and log (postgres.log) in $PAVED_RUN/postgres.

PAVED_PG_PORT=${PAVED_PG_PORT:-15432}
PAVED_PG_VERSION=15

postgres_bin() { echo "/usr/lib/postgresql/$PAVED_PG_VERSION/bin"; }

postgres_install() {
  [ -x "$(postgres_bin)/pg_ctl" ] || apt_install "postgresql-$PAVED_PG_VERSION"
}

postgres_running() {
  "$(postgres_bin)/pg_isready" -q -h 127.0.0.1 -p "$PAVED_PG_PORT" 2>/dev/null
}

# The node's pods reach this server only through the relay in node.sh (docs/decisions/0018),
# whose host end connects from 127.0.0.2: those connections log in with a password, and never
# as the superuser. Everything else on loopback stays trust (the platform's own tools).
_POSTGRES_POD_SOURCE=127.0.0.2
_postgres_hba() {
  local hba=$1/pg_hba.conf marker="# paved: pods through the node's relay"
  grep -qF "$marker" "$hba" && return 1
  local tmp
  tmp=$(mktemp)
  {
    echo "$marker (scripts/platform/lib/postgres.sh)"
    echo "host all postgres $_POSTGRES_POD_SOURCE/32 reject"
    echo "host all all $_POSTGRES_POD_SOURCE/32 scram-sha-256"
    cat "$hba"
  } >"$tmp"
  cat "$tmp" >"$hba" && rm -f "$tmp"
}

postgres_start() {
  postgres_install
  local dir=$PAVED_RUN/postgres
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  if postgres_running; then
    # a server started before the relay's rules were written: add them and reload
    if [ -f "$dir/data/pg_hba.conf" ] && _postgres_hba "$dir/data"; then
      "${as[@]}" "$(postgres_bin)/pg_ctl" -D "$dir/data" reload >/dev/null || fail "reloading PostgreSQL's pg_hba.conf" "$dir/postgres.log"
    fi
    return 0
  fi
  mkdir -p "$dir" "$PAVED_RUN/logs"
  chown postgres:postgres "$dir" 2>/dev/null || true
  # Run as the postgres user when we are root: initdb refuses root.
  if [ ! -f "$dir/data/PG_VERSION" ]; then
    "${as[@]}" "$(postgres_bin)/initdb" -D "$dir/data" -U postgres --auth=trust -E UTF8 \
      >"$PAVED_RUN/logs/postgres-initdb.log" 2>&1 || fail "initdb" "$PAVED_RUN/logs/postgres-initdb.log"
  fi
  _postgres_hba "$dir/data" || true
  rm -f "$dir/data/postmaster.pid"   # left behind if the server was killed
  "${as[@]}" "$(postgres_bin)/pg_ctl" -D "$dir/data" -l "$dir/postgres.log" -w -t 30 \
    -o "-p $PAVED_PG_PORT -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300" \
    start >/dev/null || fail "starting PostgreSQL on 127.0.0.1:$PAVED_PG_PORT" "$dir/postgres.log"
}

postgres_stop() {
  local dir=$PAVED_RUN/postgres
  [ -f "$dir/data/postmaster.pid" ] || return 0
  local as=()
  [ "$(id -u)" = 0 ] && as=(runuser -u postgres --)
  "${as[@]}" "$(postgres_bin)/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
}

postgres_status() {
  local health=down
  postgres_running && health=healthy
  printf '%-24s %-10s %-28s %s\n' postgres "$PAVED_PG_VERSION" "127.0.0.1:$PAVED_PG_PORT" "$health"
}

# The connection string for a superuser, used by tests and benchmarks.
postgres_url() { echo "postgresql://postgres@127.0.0.1:$PAVED_PG_PORT/postgres"; }
