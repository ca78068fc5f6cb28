#!/usr/bin/env bash
# OrleansLog build entry point.
#   ./build.sh build        build everything in Release
#   ./build.sh test         build in Release, bring up what the tests need (a throwaway PostgreSQL 15
#                           cluster on 127.0.0.1, kcat), run every test project, tear it all down again
#   ./build.sh run [ARGS]   start the broker on the embedded default (one node, data under ./data)
#   ./build.sh bench [ARGS] run the benchmarks (JSON lines on stdout); 'bench scale' measures partitions with real silos,
#                           'bench kafka' the Kafka listener against the native client
#   ./build.sh bench-replication  acks=all produce, replication factor 3 vs 1, three silos on this machine
#   ./build.sh sim [SEEDS]  the seeded replication simulation's long mode (default 100000 seeds; --seed S replays one,
#                           --trace prints its every step); ends with a JSON line, exit 1 on any failing seed
#   ./build.sh soak         kill -9 failover rounds against three silos (OLOG_FAILOVER_ROUNDS, default 130 ≈ 10 min)
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$PWD
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

log() { printf '[build.sh] %s\n' "$*" >&2; }

ensure_dotnet() {
  if ! command -v dotnet >/dev/null 2>&1; then
    log "dotnet not found: install the .NET 10 SDK (https://dot.net) and rerun"
    exit 1
  fi
}

PG_BIN=""
find_postgres() {
  local d
  for d in /usr/lib/postgresql/*/bin; do
    if [[ -x "$d/initdb" && -x "$d/pg_ctl" ]]; then PG_BIN=$d; fi
  done
  [[ -n "$PG_BIN" ]]
}

install_postgres() {
  if find_postgres; then return; fi
  if [[ $(id -u) -ne 0 ]]; then
    log "PostgreSQL binaries are missing and we are not root: run 'sudo apt-get install -y postgresql'"
    exit 1
  fi
  log "installing PostgreSQL (apt-get)"
  mkdir -p /etc/postgresql-common
  # No system-wide cluster: the tests bring up their own throwaway one.
  if ! grep -qs '^create_main_cluster' /etc/postgresql-common/createcluster.conf; then
    echo 'create_main_cluster = false' >> /etc/postgresql-common/createcluster.conf
  fi
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  find_postgres || { log "PostgreSQL installed but initdb not found under /usr/lib/postgresql/*/bin"; exit 1; }
}

# kcat: the Kafka listener's tests drive it as a user would (Debian's package).
ensure_kcat() {
  if command -v kcat >/dev/null 2>&1; then return; fi
  if [[ $(id -u) -ne 0 ]]; then
    log "kcat is missing and we are not root: run 'sudo apt-get install -y kcat'"
    exit 1
  fi
  log "installing kcat (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq kcat >/dev/null
}

PG_DIR=""
PG_PORT=""
PG_USER_RUN=()
free_port() {
  python3 - <<'PY' 2>/dev/null || echo $(( 20000 + RANDOM % 20000 ))
import socket
s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()
PY
}

start_postgres() {
  install_postgres
  PG_DIR=$(mktemp -d /tmp/olog-pg.XXXXXX)
  PG_PORT=$(free_port)
  if [[ $(id -u) -eq 0 ]]; then
    # initdb refuses to run as root: run the throwaway cluster as the postgres system user
    # (created by the package) or, failing that, a dedicated unprivileged user.
    local runas=postgres
    if ! id "$runas" >/dev/null 2>&1; then
      runas=ologpg
      id "$runas" >/dev/null 2>&1 || useradd --system --no-create-home "$runas"
    fi
    chown "$runas" "$PG_DIR"
    PG_USER_RUN=(runuser -u "$runas" --)
  fi
  log "starting throwaway PostgreSQL ($PG_BIN) in $PG_DIR on 127.0.0.1:$PG_PORT"
  "${PG_USER_RUN[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U orleans --auth=trust -E UTF8 --no-locale >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; exit 1; }
  "${PG_USER_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t 60 \
    -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off" start >/dev/null \
    || { cat "$PG_DIR/server.log" >&2; exit 1; }
  PGOPTIONS=-cclient_min_messages=warning "$PG_BIN/psql" -h 127.0.0.1 -p "$PG_PORT" -U orleans -d postgres -q \
    -c "CREATE DATABASE orleans" >/dev/null
  export OLOG_TEST_POSTGRES="Host=127.0.0.1;Port=$PG_PORT;Username=orleans;Database=orleans;Pooling=true;Maximum Pool Size=50"
  export OLOG_TEST_PG_BIN="$PG_BIN"
}

stop_postgres() {
  if [[ -n "$PG_DIR" && -d "$PG_DIR/data" ]]; then
    log "stopping throwaway PostgreSQL"
    "${PG_USER_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate -w stop >/dev/null 2>&1 || true
    rm -rf "$PG_DIR"
  fi
}

cmd=${1:-build}
shift || true
case "$cmd" in
  build)
    ensure_dotnet
    dotnet build OrleansLog.sln -c Release "$@"
    ;;
  test)
    ensure_dotnet
    trap stop_postgres EXIT
    dotnet build OrleansLog.sln -c Release
    ensure_kcat
    start_postgres
    dotnet test --solution OrleansLog.sln -c Release --no-build "$@"
    ;;
  soak)
    # kill -9 rounds against three silo processes, for as long as OLOG_FAILOVER_ROUNDS says
    # (default 130 rounds, about 10 minutes here); see the README's "Failover soak".
    ensure_dotnet
    trap stop_postgres EXIT
    dotnet build OrleansLog.sln -c Release
    start_postgres
    export OLOG_FAILOVER_ROUNDS="${OLOG_FAILOVER_ROUNDS:-130}"
    dotnet tests/OrleansLog.Integration.Tests/bin/Release/net10.0/OrleansLog.Integration.Tests.dll \
      --filter-class '*ReplicationFailoverTests' --output detailed "$@"
    ;;
  sim)
    # Deterministic: no PostgreSQL, no processes, one thread per seed; see the README's "Replication simulation".
    ensure_dotnet
    dotnet build tests/OrleansLog.Simulation/OrleansLog.Simulation.csproj -c Release >&2
    if [[ $# -eq 0 || "${1:-}" == --* ]]; then set -- 100000 "$@"; fi
    exec dotnet tests/OrleansLog.Simulation/bin/Release/net10.0/OrleansLog.Simulation.dll "$@"
    ;;
  bench-replication)
    # three silos on this machine, acks=all produce at replication factor 1 vs 3 (tests/bench)
    ensure_dotnet
    trap stop_postgres EXIT
    dotnet build OrleansLog.sln -c Release
    start_postgres
    tests/bench/replication-bench.sh "$@"
    ;;
  run)
    ensure_dotnet
    exec dotnet run --project src/OrleansLog.Silo -c Release -- "$@"
    ;;
  bench)
    ensure_dotnet
    if [[ "${1:-}" == scale ]]; then
      # Real silo processes (the built Silo, or OLOG_SILO_DLL) and, for the three-silo parts, a throwaway PostgreSQL.
      trap stop_postgres EXIT
      dotnet build OrleansLog.sln -c Release
      if [[ -z "${OLOG_TEST_POSTGRES:-}" ]]; then start_postgres; fi
      dotnet tests/OrleansLog.Benchmarks/bin/Release/net10.0/OrleansLog.Benchmarks.dll "$@"
    elif [[ "${1:-}" == kafka ]]; then
      # A real silo process (the built Silo): Confluent.Kafka through its Kafka listener vs the OrleansLog client.
      dotnet build OrleansLog.sln -c Release >&2
      exec dotnet tests/OrleansLog.Benchmarks/bin/Release/net10.0/OrleansLog.Benchmarks.dll "$@"
    else
      exec dotnet run -c Release --project tests/OrleansLog.Benchmarks -- "$@"
    fi
    ;;
  *)
    log "unknown command '$cmd' (expected build, test, sim, soak, run, bench or bench-replication)"
    exit 2
    ;;
esac
