#!/usr/bin/env bash
# The checks behind `make test`, `make lint` and `make fuzz`.
#
# Usage: scripts/test.sh           start the services, gofmt + go vet, then
#                                  go test -race -count=1 -timeout 20m ./... with
#                                  VIGIE_TEST_KAFKA / VIGIE_TEST_REDIS set; the services
#                                  are always stopped afterwards (failure, Ctrl-C
#                                  included); then the scale-out proof (cluster, below).
#                                  The exit status is the first failure's
#        scripts/test.sh cluster   start the three-broker Kafka cluster and its Redis
#                                  (services.sh cluster-run), run the scale-out test of
#                                  internal/scaleout against them, write its figures to
#                                  test-artifacts/scale-out.json, stop the cluster
#        scripts/test.sh lint      gofmt -l must list nothing; go vet ./...
#        scripts/test.sh fuzz PKG  run every Fuzz* test of each PKG for $FUZZ_TIME (30s)
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
GO=${GO:-go}

log() { printf 'test: %s\n' "$*" >&2; }

lint() {
	log "gofmt -l"
	# Every Go file of the module, but not under dot-folders (.cache, .git), testdata or vendor.
	local unformatted
	unformatted=$(find . \( -path './.*' -o -name testdata -o -name vendor \) -prune -o \
		-name '*.go' -type f -print0 | xargs -0 -r gofmt -l)
	if [ -n "$unformatted" ]; then
		log "these files need gofmt -w:"
		printf '  %s\n' $unformatted >&2
		return 1
	fi
	log "go vet ./..."
	"$GO" vet ./...
}

# checks runs inside `services.sh run`, which exports the service addresses.
checks() {
	lint
	log "go test -race -count=1 -timeout 20m ./... (Kafka $VIGIE_TEST_KAFKA, Redis $VIGIE_TEST_REDIS)"
	"$GO" test -race -count=1 -timeout 20m ./...
	# vigie dev runs the review queue on the in-process Redis: the queue's
	# suite runs there too, so a Lua script the embedded Redis cannot run
	# fails here rather than in a newcomer's first session.
	log "go test -race -count=1 ./review/ against the embedded Redis of vigie dev"
	VIGIE_TEST_REDIS=embedded "$GO" test -race -count=1 -timeout 10m ./review/
}

# cluster runs inside `services.sh cluster-run`, which exports the cluster's addresses.
cluster() {
	mkdir -p "$ROOT/test-artifacts"
	log "go test -count=1 -run TestScaleOut ./internal/scaleout/ (Kafka $VIGIE_TEST_CLUSTER_KAFKA, Redis $VIGIE_TEST_CLUSTER_REDIS)"
	"$GO" test -count=1 -timeout 15m -v -run '^TestScaleOut$' ./internal/scaleout/ \
		-figures "$ROOT/test-artifacts/scale-out.json"
	log "scale-out figures: test-artifacts/scale-out.json"
}

# fuzz runs each Fuzz* test on its own: `go test -fuzz` refuses a pattern that matches
# more than one fuzz test in a package.
fuzz() {
	[ "$#" -gt 0 ] || set -- ./classify
	local pkg name list names time=${FUZZ_TIME:-30s}
	for pkg in "$@"; do
		if ! list=$("$GO" test -list '^Fuzz' "$pkg"); then
			log "cannot list the tests of $pkg"
			return 1
		fi
		names=$(grep '^Fuzz' <<<"$list" || true)
		if [ -z "$names" ]; then
			log "no Fuzz tests in $pkg"
			return 1
		fi
		for name in $names; do
			log "fuzzing $name in $pkg for $time"
			"$GO" test -run='^$' -fuzz="^${name}\$" -fuzztime="$time" "$pkg"
		done
	done
}

case "${1:-all}" in
all)
	rc=0
	"$ROOT/scripts/services.sh" run "$ROOT/scripts/test.sh" checks || rc=$?
	# Interrupted (Ctrl-C, SIGTERM): stop here.
	if [ "$rc" -eq 130 ] || [ "$rc" -eq 143 ]; then exit "$rc"; fi
	# The cluster proof runs even when the main suite failed, so one run reports both.
	crc=0
	"$ROOT/scripts/services.sh" cluster-run "$ROOT/scripts/test.sh" cluster || crc=$?
	if [ "$rc" -eq 0 ]; then rc=$crc; fi
	exit "$rc"
	;;
checks) checks ;;
cluster-all) exec "$ROOT/scripts/services.sh" cluster-run "$ROOT/scripts/test.sh" cluster ;;
cluster) cluster ;;
lint) lint ;;
fuzz)
	shift
	fuzz "$@"
	;;
*)
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0" >&2
	exit 2
	;;
esac
