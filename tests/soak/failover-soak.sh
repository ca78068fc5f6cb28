#!/usr/bin/env bash
# Failover soak: three silo processes against a throwaway PostgreSQL, an idempotent acks=all producer and
# a consumer running, and the leader's node of one partition killed with kill -9 round after round.
# Every round checks that each acknowledged and each consumed record is still at its offset, exactly once,
# in produce order. Usage: tests/soak/failover-soak.sh [rounds]   (default 130, about 10 minutes here)
set -euo pipefail
cd "$(dirname "$0")/../.."
export OLOG_FAILOVER_ROUNDS="${1:-${OLOG_FAILOVER_ROUNDS:-130}}"
export OLOG_SAVE_SILO_LOGS="${OLOG_SAVE_SILO_LOGS:-1}"
exec ./build.sh soak
