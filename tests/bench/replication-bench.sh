#!/usr/bin/env bash
# Replication benchmark: three silo processes on this machine against the PostgreSQL in $OLOG_TEST_POSTGRES
# (./build.sh bench-replication starts a throwaway one), then `olog perf produce` with acks=all into a
# topic with replication factor 1 and one with replication factor 3 (min.insync.replicas 2), at 100-byte
# and 1 KiB records. Prints olog's JSON lines and one summary line per record size with the RF=3/RF=1 ratio.
set -euo pipefail
cd "$(dirname "$0")/../.."
: "${OLOG_TEST_POSTGRES:?set OLOG_TEST_POSTGRES to an Npgsql connection string (./build.sh bench-replication does)}"
RECORDS_100=${RECORDS_100:-5000000}
RECORDS_1K=${RECORDS_1K:-2000000}
PARTITIONS=${PARTITIONS:-6}
PRODUCERS=${PRODUCERS:-1}
SIZES=${SIZES:-100 1024}
SILO=src/OrleansLog.Silo/bin/Release/net10.0/OrleansLog.Silo.dll
OLOG=src/OrleansLog.Cli/bin/Release/net10.0/olog.dll
WORK=$(mktemp -d /tmp/olog-repl-bench.XXXXXX)
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

BOOTSTRAP=""
for i in 1 2 3; do
  dotnet "$SILO" --data-dir "$WORK/n$i" --node-id "node-$i" --postgres "$OLOG_TEST_POSTGRES" --advertised-host 127.0.0.1 \
    --silo-port $((41100 + i)) --gateway-port $((41200 + i)) --http-port $((41300 + i)) >"$WORK/silo-$i.log" 2>&1 &
  PIDS+=($!)
  BOOTSTRAP="$BOOTSTRAP${BOOTSTRAP:+,}localhost:$((41200 + i))"
done
for i in 1 2 3; do
  for _ in $(seq 1 300); do
    curl -fsS "http://127.0.0.1:$((41300 + i))/health" >/dev/null 2>&1 && break
    sleep 0.2
  done
done

olog() { dotnet "$OLOG" --bootstrap "$BOOTSTRAP" "$@"; }
run() { # topic records size
  olog perf produce --topic "$1" --records "$2" --record-size "$3" --acks all --producers "$PRODUCERS" | tail -n 1
}
rate() { sed -E 's/.*"'"$1"'":([0-9.]+).*/\1/'; }

# Each size: an unmeasured warm-up on both topics (JIT tiering in the silos, segment files created), then
# the measured runs in ABBA order (RF1, RF3, RF3, RF1) so that drift over the run (page cache filling,
# dirty-page writeback, the host reclaiming guest memory) falls on both sides alike; the ratio compares
# the two runs' mean rates.
for size in $SIZES; do
  records=$RECORDS_100; [[ $size == 1024 ]] && records=$RECORDS_1K
  olog topics create "rf1-$size" --partitions "$PARTITIONS" --replication-factor 1 >/dev/null
  olog topics create "rf3-$size" --partitions "$PARTITIONS" --replication-factor 3 --config min.insync.replicas=2 >/dev/null
  run "rf1-$size" $((records / 10)) "$size" >/dev/null
  run "rf3-$size" $((records / 10)) "$size" >/dev/null
  results=()
  for rf in 1 3 3 1; do
    line=$(run "rf$rf-$size" "$records" "$size"); echo "$line"
    results+=("$rf $(echo "$line" | rate records_per_s) $(echo "$line" | rate mb_per_s)")
  done
  printf '%s\n' "${results[@]}" | python3 -c '
import sys
rows = [line.split() for line in sys.stdin if line.strip()]
def mean(rf, col): values = [float(r[col]) for r in rows if r[0] == rf]; return sum(values) / len(values)
r1, r3, m1, m3 = mean("1", 1), mean("3", 1), mean("1", 2), mean("3", 2)
print("{\"bench\":\"replication\",\"producers\":%s,\"record_bytes\":%s,\"rf1_records_per_s\":%.1f,\"rf3_records_per_s\":%.1f,\"rf1_mb_per_s\":%.3f,\"rf3_mb_per_s\":%.3f,\"ratio\":%.3f}"
      % (sys.argv[1], sys.argv[2], r1, r3, m1, m3, r3 / r1))' "$PRODUCERS" "$size"
done
