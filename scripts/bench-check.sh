#!/usr/bin/env bash
# The load benchmark of the synchronous check behind `make bench-check`: start
# `vigie ingest` against the services `services.sh run` started, load POST /v1/check
# with `vigie loadtest` (open loop, the traffic-like comment mix), print its
# latency figures, stop ingest.
#
# Usage (inside services.sh run, which exports VIGIE_TEST_KAFKA / VIGIE_TEST_REDIS):
#   scripts/bench-check.sh [loadtest flags...]   default: --rate 500 --warmup 15s --duration 60s
# (the warm-up also lets the freshly started Kafka broker compile its hot paths)
#
# ingest runs as the manifests run it: GOGC=400 unless GOGC is set. Its per-key
# rate limit is lifted (the benchmark measures latency, not the limiter); its log
# goes to test-artifacts/bench-check-ingest.log.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GO=${GO:-go}
: "${VIGIE_TEST_KAFKA:?run me through scripts/services.sh run (make bench-check)}"
: "${VIGIE_TEST_REDIS:?run me through scripts/services.sh run (make bench-check)}"

log() { printf 'bench-check: %s\n' "$*" >&2; }

mkdir -p test-artifacts bin
"$GO" build -o bin/vigie ./cmd/vigie

listen=127.0.0.1:18081
key="bench-check-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
args=("$@")
if [ ${#args[@]} -eq 0 ]; then
	args=(--rate 500 --warmup 15s --duration 60s)
fi

log "starting vigie ingest on $listen (GOGC=${GOGC:-400})"
GOGC=${GOGC:-400} \
	VIGIE_KAFKA_BROKERS="$VIGIE_TEST_KAFKA" VIGIE_REDIS_ADDR="$VIGIE_TEST_REDIS" \
	VIGIE_LISTEN="$listen" VIGIE_PUBLISHER_KEYS="benchcheck:load:$key" \
	VIGIE_RATE_LIMIT=1000000 VIGIE_RATE_BURST=1000000 VIGIE_LOG_LEVEL=warn \
	bin/vigie ingest >test-artifacts/bench-check-ingest.log 2>&1 &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true' EXIT

for _ in $(seq 1 150); do
	if curl -fsS "http://$listen/readyz" >/dev/null 2>&1; then
		break
	fi
	if ! kill -0 "$pid" 2>/dev/null; then
		log "vigie ingest exited; its log:"
		cat test-artifacts/bench-check-ingest.log >&2
		exit 1
	fi
	sleep 0.2
done
curl -fsS "http://$listen/readyz" >/dev/null

bin/vigie loadtest --url "http://$listen" --key "$key" "${args[@]}"
log "ingest resident memory: $(ps -o rss= -p "$pid" | awk '{printf "%d MiB", $1/1024}')"
