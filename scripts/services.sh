#!/usr/bin/env bash
# Starts and stops the real services that Vigie's tests, benchmarks and `vigie dev` talk to:
#
#   Apache Kafka 4.1.1  single node, KRaft (broker + controller), 127.0.0.1:19092
#                       (controller listener 127.0.0.1:19093), jars from Maven Central
#   redis-server        Debian package, 127.0.0.1:16379, appendonly yes
#
# Usage: scripts/services.sh up | down | status | run CMD [ARG...]
#
#   up      Install what is missing (apt: redis-server, redis-tools, kcat, chromium and
#           fonts for the UI test; Maven: Kafka),
#           stop any stale instance, start both services with empty data and wait until
#           they answer. Running it again restarts them fresh.
#   down    Stop both (SIGTERM, then SIGKILL). Harmless when nothing runs.
#   status  Say what runs and answers; exit 0 only when both answer.
#   run     up, run CMD with VIGIE_TEST_KAFKA and VIGIE_TEST_REDIS set, then down, whatever
#           CMD did (failure, Ctrl-C); exits with CMD's status.
#
# Everything (jars, data, logs, pid files) lives in .cache/ at the repository root.
# Environment knobs: VIGIE_KAFKA_PORT, VIGIE_KAFKA_CONTROLLER_PORT, VIGIE_REDIS_PORT,
# VIGIE_KAFKA_HEAP (default "-Xms256m -Xmx768m"), VIGIE_KAFKA_UP_TIMEOUT (seconds, 90).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=$ROOT/.cache
HOST=127.0.0.1

KAFKA_PORT=${VIGIE_KAFKA_PORT:-19092}
KAFKA_CONTROLLER_PORT=${VIGIE_KAFKA_CONTROLLER_PORT:-19093}
KAFKA_HEAP=${VIGIE_KAFKA_HEAP:--Xms256m -Xmx768m}
KAFKA_UP_TIMEOUT=${VIGIE_KAFKA_UP_TIMEOUT:-90}
REDIS_PORT=${VIGIE_REDIS_PORT:-16379}

KAFKA_SRC=$ROOT/scripts/kafka
KAFKA_DIR=$CACHE/kafka
KAFKA_LIBS=$KAFKA_DIR/libs
KAFKA_LOGS=$KAFKA_DIR/logs
KAFKA_DATA=$KAFKA_DIR/data
KAFKA_CONFIG=$KAFKA_DIR/config/server.properties
KAFKA_PID=$KAFKA_DIR/kafka.pid

REDIS_DIR=$CACHE/redis
REDIS_DATA=$REDIS_DIR/data
REDIS_PID=$REDIS_DIR/redis.pid
REDIS_LOG=$REDIS_DIR/redis.log

log() { printf 'services: %s\n' "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

# ---------------------------------------------------------------- tools

APT_UPDATED=0
apt_install() {
	local sudo=()
	if [ "$(id -u)" -ne 0 ]; then
		command -v sudo >/dev/null || die "need root (or sudo) to apt-get install $*"
		sudo=(sudo)
	fi
	if [ "$APT_UPDATED" = 0 ]; then
		log "apt-get update"
		"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq >&2 ||
			die "apt-get update failed"
		APT_UPDATED=1
	fi
	log "apt-get install $*"
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq -o Dpkg::Use-Pty=0 --no-install-recommends "$@" >&2 ||
		die "apt-get install $* failed"
}

# has_font NAME succeeds when fontconfig knows the font family NAME.
has_font() { command -v fc-list >/dev/null && fc-list : family | grep -qiF "$1"; }

# ensure_tools installs the Debian packages that provide the commands used here and by
# the tests (kcat, redis-cli, chromium), when they are missing.
ensure_tools() {
	local missing=()
	command -v redis-server >/dev/null || missing+=(redis-server)
	command -v redis-cli >/dev/null || missing+=(redis-tools)
	command -v kcat >/dev/null || missing+=(kcat)
	command -v java >/dev/null || missing+=(openjdk-17-jre-headless)
	command -v mvn >/dev/null || missing+=(maven)
	command -v ss >/dev/null || missing+=(iproute2)
	command -v flock >/dev/null || missing+=(util-linux)
	# The web UI's browser test drives Debian's chromium; the fonts make its
	# screenshots look as they do on a moderator's desktop (Latin text and
	# emoji) instead of falling back to boxes.
	command -v chromium >/dev/null || missing+=(chromium)
	has_font "Liberation Sans" || missing+=(fonts-liberation2)
	has_font "Noto Color Emoji" || missing+=(fonts-noto-color-emoji)
	if [ "${#missing[@]}" -gt 0 ]; then
		apt_install "${missing[@]}"
	fi
	local v
	v=$(java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -n1)
	if [ -z "$v" ] || [ "$v" -lt 17 ]; then
		die "Kafka 4 needs Java 17 or newer; \`java -version\` says: $(java -version 2>&1 | head -n1)"
	fi
}

# ---------------------------------------------------------------- processes

# with_lock runs "$@" holding .cache/services.lock, so two `up`/`down` never interleave.
# Started daemons get the descriptor closed (9>&-) so they never hold the lock.
with_lock() {
	mkdir -p "$CACHE"
	exec 9>"$CACHE/services.lock"
	flock -w 300 9 || die "another scripts/services.sh has held $CACHE/services.lock for 5 minutes"
	"$@"
	flock -u 9
	exec 9>&-
}

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }

cmdline() { tr '\0' ' ' 2>/dev/null <"/proc/$1/cmdline" || true; }

read_pid() {
	if [ -f "$1" ]; then
		tr -dc '0-9' <"$1"
	fi
}

# port_pids PORT prints the pids listening on 127.0.0.1:PORT (or any address).
port_pids() {
	ss -Hltnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2 | sort -u || true
}

# stop_pid NAME PID SECONDS: SIGTERM, wait up to SECONDS, then SIGKILL.
stop_pid() {
	local name=$1 pid=$2 grace=$3 i
	alive "$pid" || return 0
	log "stopping $name (pid $pid)"
	kill -TERM "$pid" 2>/dev/null || return 0
	for ((i = 0; i < grace * 10; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
	log "$name (pid $pid) still running after ${grace}s; sending SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
	die "could not stop $name (pid $pid)"
}

# stop_service NAME PIDFILE PATTERN GRACE PORT...: stops the process in PIDFILE and any
# process whose command line matches PATTERN that listens on one of the ports (a stale
# instance, e.g. from another checkout or a lost pid file). A foreign program holding a
# port is an error on `up` (FOREIGN=die) and a warning on `down`.
FOREIGN=warn
stop_service() {
	local name=$1 pidfile=$2 pattern=$3 grace=$4
	shift 4
	local pid port
	pid=$(read_pid "$pidfile")
	if alive "$pid" && [[ "$(cmdline "$pid")" =~ $pattern ]]; then
		stop_pid "$name" "$pid" "$grace"
	fi
	rm -f "$pidfile"
	for port in "$@"; do
		for pid in $(port_pids "$port"); do
			if [[ "$(cmdline "$pid")" =~ $pattern ]]; then
				stop_pid "stale $name on port $port" "$pid" "$grace"
			elif [ "$FOREIGN" = die ]; then
				die "port $port is held by another program (pid $pid: $(cmdline "$pid")); stop it first"
			else
				log "warning: port $port is held by another program (pid $pid: $(cmdline "$pid"))"
			fi
		done
	done
}

# ---------------------------------------------------------------- Kafka

KAFKA_PATTERN='java .*kafka\.Kafka '
REDIS_PATTERN='redis-server'

kafka_stop() { stop_service Kafka "$KAFKA_PID" "$KAFKA_PATTERN" 30 "$KAFKA_PORT" "$KAFKA_CONTROLLER_PORT"; }
redis_stop() { stop_service redis-server "$REDIS_PID" "$REDIS_PATTERN" 15 "$REDIS_PORT"; }

pom_stamp() { sha256sum "$KAFKA_SRC/pom.xml" | cut -d' ' -f1; }

# kafka_fetch puts kafka_2.13 and its runtime dependencies into .cache/kafka/libs, unless
# they are already there for the current pom.xml. Maven keeps its own download cache in
# ~/.m2, so a fresh checkout on a machine that fetched them once needs no network.
kafka_fetch() {
	local stamp
	stamp=$(pom_stamp)
	if [ -f "$KAFKA_LIBS/.stamp" ] && [ "$(cat "$KAFKA_LIBS/.stamp")" = "$stamp" ]; then
		return 0
	fi
	log "fetching Apache Kafka jars with Maven into ${KAFKA_LIBS#"$ROOT"/} (once; slow the first time on a machine)"
	mkdir -p "$KAFKA_DIR"
	local tmp=$KAFKA_DIR/libs.tmp
	rm -rf "$tmp"
	if ! mvn -q -B -Dstyle.color=never -f "$KAFKA_SRC/pom.xml" \
		dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$tmp" \
		>"$KAFKA_DIR/mvn.log" 2>&1; then
		tail -n 40 "$KAFKA_DIR/mvn.log" >&2
		rm -rf "$tmp"
		die "Maven could not fetch Kafka (full log: $KAFKA_DIR/mvn.log)"
	fi
	compgen -G "$tmp/kafka_2.13-*.jar" >/dev/null || die "Maven finished but no kafka_2.13 jar is in $tmp"
	echo "$stamp" >"$tmp/.stamp"
	rm -rf "$KAFKA_LIBS"
	mv "$tmp" "$KAFKA_LIBS"
	log "Kafka jars ready: $(find "$KAFKA_LIBS" -name '*.jar' | wc -l) jars, $(du -sh "$KAFKA_LIBS" | cut -f1)"
}

# new_cluster_id prints a random Kafka UUID: 16 random bytes in URL-safe base64 without
# padding, never starting with '-' (Kafka's own rule, so it cannot pass for a flag).
new_cluster_id() {
	local id
	while :; do
		id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
		[[ $id == -* ]] || break
	done
	echo "$id"
}

KAFKA_JVM_OPTS=(-XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35
	-XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true)

kafka_start() {
	kafka_fetch
	kafka_stop
	# Keep the previous run's logs for a post-mortem; data is always fresh.
	rm -rf "$KAFKA_DATA" "$KAFKA_DIR/logs.prev"
	if [ -d "$KAFKA_LOGS" ]; then mv "$KAFKA_LOGS" "$KAFKA_DIR/logs.prev"; fi
	mkdir -p "$KAFKA_DATA" "$KAFKA_LOGS/format" "$(dirname "$KAFKA_CONFIG")"
	sed -e "s|@HOST@|$HOST|g" -e "s|@PORT@|$KAFKA_PORT|g" \
		-e "s|@CONTROLLER_PORT@|$KAFKA_CONTROLLER_PORT|g" -e "s|@DATA_DIR@|$KAFKA_DATA|g" \
		"$KAFKA_SRC/server.properties.in" >"$KAFKA_CONFIG"

	local common=(-Dkafka.logs.dir="$KAFKA_LOGS" -Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.properties"
		-cp "$KAFKA_LIBS/*")
	local id
	id=$(new_cluster_id)
	log "formatting Kafka storage (cluster id $id)"
	# `kafka-storage.sh format`: the same classpath, its own log folder so that the
	# broker's server.log holds only the broker.
	if ! java -Xmx256m -XX:TieredStopAtLevel=1 "${common[@]}" -Dkafka.logs.dir="$KAFKA_LOGS/format" \
		kafka.tools.StorageTool format --cluster-id "$id" --config "$KAFKA_CONFIG" \
		>"$KAFKA_LOGS/format/stdout.log" 2>&1 9>&-; then
		tail -n 30 "$KAFKA_LOGS/format/stdout.log" "$KAFKA_LOGS/format/server.log" >&2 || true
		die "formatting Kafka storage failed (logs: $KAFKA_LOGS/format)"
	fi

	log "starting Kafka on $HOST:$KAFKA_PORT (logs in ${KAFKA_LOGS#"$ROOT"/})"
	# setsid: own session, so a Ctrl-C aimed at `make test` does not reach the broker and
	# `down` can stop it cleanly. The shell writes its own pid, then becomes java.
	# shellcheck disable=SC2086 # KAFKA_HEAP is a list of JVM flags
	# Its working directory is .cache/kafka, where a crashing JVM leaves hs_err files.
	(
		cd "$KAFKA_DIR"
		exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$KAFKA_PID" \
			java $KAFKA_HEAP "${KAFKA_JVM_OPTS[@]}" "${common[@]}" kafka.Kafka "$KAFKA_CONFIG"
	) </dev/null >"$KAFKA_LOGS/kafka.out" 2>&1 9>&- &
	local i
	for ((i = 0; i < 50; i++)); do
		[ -s "$KAFKA_PID" ] && break
		sleep 0.1
	done
}

kafka_fail() {
	log "error: $*"
	local f
	for f in "$KAFKA_LOGS/server.log" "$KAFKA_LOGS/kafka.out"; do
		if [ -s "$f" ]; then
			log "---- last lines of ${f#"$ROOT"/} ----"
			tail -n 40 "$f" >&2
		fi
	done
	log "---- (all logs in $KAFKA_LOGS) ----"
	# Leave nothing half started.
	kafka_stop || true
	redis_stop || true
	exit 1
}

# kafka_answers: a real protocol round trip (Metadata request) that lists our broker.
kafka_answers() {
	local out
	out=$(kcat -b "$HOST:$KAFKA_PORT" -L -m 3 2>/dev/null) || return 1
	grep -q "broker 1 at $HOST:$KAFKA_PORT" <<<"$out"
}

kafka_wait() {
	local pid start=$SECONDS
	pid=$(read_pid "$KAFKA_PID")
	while :; do
		alive "$pid" || kafka_fail "Kafka exited during startup"
		if kafka_answers; then
			log "Kafka answers on $HOST:$KAFKA_PORT (pid $pid, $((SECONDS - start))s after start)"
			return 0
		fi
		if ((SECONDS - start >= KAFKA_UP_TIMEOUT)); then
			kafka_fail "Kafka did not answer on $HOST:$KAFKA_PORT within ${KAFKA_UP_TIMEOUT}s"
		fi
		sleep 0.5
	done
}

# ---------------------------------------------------------------- Redis

redis_answers() { [ "$(redis-cli -h "$HOST" -p "$REDIS_PORT" ping 2>/dev/null)" = PONG ]; }

redis_start() {
	redis_stop
	rm -rf "$REDIS_DATA"
	mkdir -p "$REDIS_DATA"
	: >"$REDIS_LOG"
	log "starting redis-server on $HOST:$REDIS_PORT (appendonly, dir ${REDIS_DATA#"$ROOT"/})"
	# --save "": no RDB snapshots; the append-only file is the persistence under test.
	redis-server --bind "$HOST" --port "$REDIS_PORT" --protected-mode yes \
		--dir "$REDIS_DATA" --appendonly yes --save "" \
		--daemonize yes --pidfile "$REDIS_PID" --logfile "$REDIS_LOG" 9>&- ||
		die "redis-server did not start (log: $REDIS_LOG)"
	local i
	for ((i = 0; i < 200; i++)); do
		if redis_answers; then
			log "redis-server answers on $HOST:$REDIS_PORT (pid $(read_pid "$REDIS_PID"))"
			return 0
		fi
		sleep 0.1
	done
	tail -n 20 "$REDIS_LOG" >&2
	die "redis-server did not answer PING on $HOST:$REDIS_PORT within 20s"
}

# ---------------------------------------------------------------- commands

do_up() {
	ensure_tools
	FOREIGN=die
	# Kafka first: it takes longest, so Redis starts while the JVM boots.
	kafka_start
	redis_start
	kafka_wait
	FOREIGN=warn
}

do_down() {
	kafka_stop
	redis_stop
}

cmd_up() {
	local start=$SECONDS
	with_lock do_up
	log "up in $((SECONDS - start))s: Kafka $HOST:$KAFKA_PORT, Redis $HOST:$REDIS_PORT"
}

cmd_down() {
	with_lock do_down
	log "down"
}

cmd_status() {
	local ok=0 pid
	pid=$(read_pid "$KAFKA_PID")
	if command -v kcat >/dev/null && kafka_answers; then
		echo "kafka: answers on $HOST:$KAFKA_PORT (pid ${pid:-unknown})"
	elif alive "$pid"; then
		echo "kafka: running (pid $pid) but not answering on $HOST:$KAFKA_PORT"
		ok=1
	else
		echo "kafka: stopped"
		ok=1
	fi
	pid=$(read_pid "$REDIS_PID")
	if command -v redis-cli >/dev/null && redis_answers; then
		echo "redis: answers on $HOST:$REDIS_PORT (pid ${pid:-unknown})"
	elif alive "$pid"; then
		echo "redis: running (pid $pid) but not answering on $HOST:$REDIS_PORT"
		ok=1
	else
		echo "redis: stopped"
		ok=1
	fi
	return "$ok"
}

cmd_run() {
	[ "$#" -gt 0 ] || die "usage: $0 run CMD [ARG...]"
	# Whatever happens from here on (CMD fails, Ctrl-C, SIGTERM, `up` fails half way),
	# the services are stopped and the script exits with CMD's status.
	trap 'rc=$?; trap - EXIT INT TERM; cmd_down || true; exit "$rc"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	cmd_up
	export VIGIE_TEST_KAFKA=$HOST:$KAFKA_PORT VIGIE_TEST_REDIS=$HOST:$REDIS_PORT
	local rc=0
	"$@" || rc=$?
	exit "$rc"
}

usage() {
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "${BASH_SOURCE[0]}" >&2
	exit 2
}

case "${1:-}" in
up) cmd_up ;;
down) cmd_down ;;
status) cmd_status ;;
run)
	shift
	cmd_run "$@"
	;;
-h | --help | help) usage ;;
*) usage ;;
esac
