#!/usr/bin/env bash
# Starts and stops the real services that Vigie's tests, benchmarks and `vigie dev` talk to:
#
#   Apache Kafka 4.1.1  single node, KRaft (broker + controller), 127.0.0.1:19092
#                       (controller listener 127.0.0.1:19093), jars from Maven Central
#   redis-server        Debian package, 127.0.0.1:16379, appendonly yes
#
# Usage: scripts/services.sh up | down | status | run CMD [ARG...]
#        scripts/services.sh cluster-up | cluster-down | cluster-status | cluster-run CMD [ARG...]
#        scripts/services.sh cluster-node kill|start N
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
#   The cluster-* commands do the same for the scale-out test, apart from the single-node
#   services (both can run at once): a three-node Kafka cluster from the same jars, each
#   node broker and controller (KRaft), brokers on 127.0.0.1:29092, :29093, :29094
#   (controllers :29192, :29193, :29194), replication 3 and min.insync.replicas 2, plus
#   its own redis-server on 127.0.0.1:26379. cluster-run exports VIGIE_TEST_CLUSTER_KAFKA
#   (the three brokers, comma-separated) and VIGIE_TEST_CLUSTER_REDIS. cluster-node kill N
#   SIGKILLs node N (1-3), cluster-node start N starts it again on its data.
#
# Everything (jars, data, logs, pid files) lives in .cache/ at the repository root.
# Environment knobs: VIGIE_KAFKA_PORT, VIGIE_KAFKA_CONTROLLER_PORT, VIGIE_REDIS_PORT,
# VIGIE_KAFKA_HEAP (default "-Xms256m -Xmx768m"), VIGIE_KAFKA_UP_TIMEOUT (seconds, 90);
# for the cluster VIGIE_CLUSTER_PORT (first broker port, 29092), VIGIE_CLUSTER_REDIS_PORT
# (26379), VIGIE_CLUSTER_HEAP (default "-Xms256m -Xmx512m" per node).
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

# ---------------------------------------------------------------- cluster (scale-out test)

CLUSTER_DIR=$CACHE/cluster
CLUSTER_PORT=${VIGIE_CLUSTER_PORT:-29092}
CLUSTER_REDIS_PORT=${VIGIE_CLUSTER_REDIS_PORT:-26379}
CLUSTER_HEAP=${VIGIE_CLUSTER_HEAP:--Xms256m -Xmx512m}
CLUSTER_NODES=(1 2 3)

node_port() { echo $((CLUSTER_PORT + $1 - 1)); }
node_controller_port() { echo $((CLUSTER_PORT + 100 + $1 - 1)); }
node_dir() { echo "$CLUSTER_DIR/kafka-$1"; }
cluster_brokers() {
	local n out=()
	for n in "${CLUSTER_NODES[@]}"; do out+=("$HOST:$(node_port "$n")"); done
	(
		IFS=,
		echo "${out[*]}"
	)
}

cluster_node_stop() {
	local n=$1
	stop_service "Kafka node $n" "$(node_dir "$n")/kafka.pid" "$KAFKA_PATTERN" 30 \
		"$(node_port "$n")" "$(node_controller_port "$n")"
}

# cluster_node_run N: start node N on the data it has (formatted by cluster_start).
cluster_node_run() {
	local n=$1 dir
	dir=$(node_dir "$n")
	[ -f "$dir/server.properties" ] || die "Kafka node $n was never set up; run cluster-up"
	if [ -d "$dir/logs" ]; then
		rm -rf "$dir/logs.prev"
		mv "$dir/logs" "$dir/logs.prev"
	fi
	mkdir -p "$dir/logs"
	log "starting Kafka node $n on $HOST:$(node_port "$n") (logs in ${dir#"$ROOT"/}/logs)"
	# shellcheck disable=SC2086 # CLUSTER_HEAP is a list of JVM flags
	(
		cd "$dir"
		exec setsid bash -c 'echo $$ >"$0"; exec "$@"' "$dir/kafka.pid" \
			java $CLUSTER_HEAP "${KAFKA_JVM_OPTS[@]}" -Dkafka.logs.dir="$dir/logs" \
			-Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.properties" -cp "$KAFKA_LIBS/*" \
			kafka.Kafka "$dir/server.properties"
	) </dev/null >"$dir/kafka.out" 2>&1 9>&- &
	local i
	for ((i = 0; i < 50; i++)); do
		[ -s "$dir/kafka.pid" ] && break
		sleep 0.1
	done
}

cluster_start() {
	kafka_fetch
	local n voters=() id dir
	for n in "${CLUSTER_NODES[@]}"; do
		cluster_node_stop "$n"
		voters+=("$n@$HOST:$(node_controller_port "$n")")
	done
	id=$(new_cluster_id)
	log "formatting the storage of Kafka nodes ${CLUSTER_NODES[*]} (cluster id $id)"
	for n in "${CLUSTER_NODES[@]}"; do
		dir=$(node_dir "$n")
		rm -rf "$dir"
		mkdir -p "$dir/data" "$dir/format"
		sed -e "s|@HOST@|$HOST|g" -e "s|@NODE_ID@|$n|g" -e "s|@PORT@|$(node_port "$n")|g" \
			-e "s|@CONTROLLER_PORT@|$(node_controller_port "$n")|g" -e "s|@DATA_DIR@|$dir/data|g" \
			-e "s|@VOTERS@|$(
				IFS=,
				echo "${voters[*]}"
			)|g" \
			"$KAFKA_SRC/cluster.properties.in" >"$dir/server.properties"
		if ! java -Xmx256m -XX:TieredStopAtLevel=1 -Dkafka.logs.dir="$dir/format" \
			-Dlog4j2.configurationFile="$KAFKA_SRC/log4j2.properties" -cp "$KAFKA_LIBS/*" \
			kafka.tools.StorageTool format --cluster-id "$id" --config "$dir/server.properties" \
			>"$dir/format/stdout.log" 2>&1 9>&-; then
			tail -n 30 "$dir/format/stdout.log" >&2 || true
			die "formatting Kafka node $n failed (logs: $dir/format)"
		fi
	done
	for n in "${CLUSTER_NODES[@]}"; do cluster_node_run "$n"; done
}

# cluster_answers: every broker answers, and the metadata lists all three.
cluster_answers() {
	local out n
	for n in "${CLUSTER_NODES[@]}"; do
		out=$(kcat -b "$HOST:$(node_port "$n")" -L -m 3 2>/dev/null) || return 1
		grep -q "3 brokers:" <<<"$out" || return 1
	done
}

cluster_fail() {
	log "error: $*"
	local n f
	for n in "${CLUSTER_NODES[@]}"; do
		for f in "$(node_dir "$n")/logs/server.log" "$(node_dir "$n")/kafka.out"; do
			if [ -s "$f" ]; then
				log "---- last lines of ${f#"$ROOT"/} ----"
				tail -n 20 "$f" >&2
			fi
		done
	done
	cluster_stop_all || true
	exit 1
}

cluster_wait() {
	local n pid start=$SECONDS
	while :; do
		for n in "${CLUSTER_NODES[@]}"; do
			pid=$(read_pid "$(node_dir "$n")/kafka.pid")
			alive "$pid" || cluster_fail "Kafka node $n exited during startup"
		done
		if cluster_answers; then
			log "Kafka cluster answers on $(cluster_brokers) ($((SECONDS - start))s after start)"
			return 0
		fi
		if ((SECONDS - start >= KAFKA_UP_TIMEOUT)); then
			cluster_fail "the Kafka cluster did not answer within ${KAFKA_UP_TIMEOUT}s"
		fi
		sleep 0.5
	done
}

cluster_redis_start() {
	# The single-node helpers, pointed at the cluster's own Redis.
	REDIS_PORT=$CLUSTER_REDIS_PORT REDIS_DIR=$CLUSTER_DIR/redis REDIS_DATA=$CLUSTER_DIR/redis/data \
		REDIS_PID=$CLUSTER_DIR/redis/redis.pid REDIS_LOG=$CLUSTER_DIR/redis/redis.log redis_start
}

cluster_redis_stop() {
	REDIS_PORT=$CLUSTER_REDIS_PORT REDIS_PID=$CLUSTER_DIR/redis/redis.pid redis_stop
}

cluster_stop_all() {
	local n
	for n in "${CLUSTER_NODES[@]}"; do cluster_node_stop "$n"; done
	cluster_redis_stop
}

do_cluster_up() {
	ensure_tools
	FOREIGN=die
	mkdir -p "$CLUSTER_DIR/redis"
	cluster_start
	cluster_redis_start
	cluster_wait
	FOREIGN=warn
}

cmd_cluster_up() {
	local start=$SECONDS
	with_lock do_cluster_up
	log "cluster up in $((SECONDS - start))s: Kafka $(cluster_brokers), Redis $HOST:$CLUSTER_REDIS_PORT"
}

cmd_cluster_down() {
	with_lock cluster_stop_all
	log "cluster down"
}

cmd_cluster_status() {
	local ok=0 n pid
	for n in "${CLUSTER_NODES[@]}"; do
		pid=$(read_pid "$(node_dir "$n")/kafka.pid")
		if alive "$pid"; then
			echo "kafka node $n: running on $HOST:$(node_port "$n") (pid $pid)"
		else
			echo "kafka node $n: stopped"
			ok=1
		fi
	done
	if command -v kcat >/dev/null && cluster_answers; then
		echo "kafka cluster: answers on $(cluster_brokers)"
	else
		echo "kafka cluster: not answering on every broker"
		ok=1
	fi
	if command -v redis-cli >/dev/null && [ "$(redis-cli -h "$HOST" -p "$CLUSTER_REDIS_PORT" ping 2>/dev/null)" = PONG ]; then
		echo "redis: answers on $HOST:$CLUSTER_REDIS_PORT"
	else
		echo "redis: not answering on $HOST:$CLUSTER_REDIS_PORT"
		ok=1
	fi
	return "$ok"
}

cmd_cluster_node() {
	local action=${1:-} n=${2:-} pid
	[[ $n =~ ^[123]$ ]] || die "usage: $0 cluster-node kill|start 1|2|3"
	case "$action" in
	kill)
		pid=$(read_pid "$(node_dir "$n")/kafka.pid")
		alive "$pid" || die "Kafka node $n is not running"
		log "killing Kafka node $n (pid $pid, SIGKILL)"
		kill -KILL "$pid"
		while alive "$pid"; do sleep 0.1; done
		;;
	start)
		pid=$(read_pid "$(node_dir "$n")/kafka.pid")
		alive "$pid" && die "Kafka node $n is already running (pid $pid)"
		cluster_node_run "$n"
		;;
	*) die "usage: $0 cluster-node kill|start 1|2|3" ;;
	esac
}

cmd_cluster_run() {
	[ "$#" -gt 0 ] || die "usage: $0 cluster-run CMD [ARG...]"
	trap 'rc=$?; trap - EXIT INT TERM; cmd_cluster_down || true; exit "$rc"' EXIT
	trap 'exit 130' INT
	trap 'exit 143' TERM
	cmd_cluster_up
	VIGIE_TEST_CLUSTER_KAFKA=$(cluster_brokers)
	export VIGIE_TEST_CLUSTER_KAFKA VIGIE_TEST_CLUSTER_REDIS=$HOST:$CLUSTER_REDIS_PORT
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
cluster-up) cmd_cluster_up ;;
cluster-down) cmd_cluster_down ;;
cluster-status) cmd_cluster_status ;;
cluster-node)
	shift
	cmd_cluster_node "$@"
	;;
cluster-run)
	shift
	cmd_cluster_run "$@"
	;;
-h | --help | help) usage ;;
*) usage ;;
esac
