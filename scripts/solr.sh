#!/usr/bin/env bash
# A local 2-node SolrCloud (Solr 9.10.1 from Maven Central) for development and trials.
#
#   scripts/solr.sh start            build the launcher if needed, start both nodes, wait until both
#                                    are live and every replica of every collection is active
#   scripts/solr.sh stop             stop both nodes (the ZooKeeper node last)
#   scripts/solr.sh stop-node PORT   stop one node (fault tests); `start` brings it back
#   scripts/solr.sh status           which nodes are up + live_nodes; exit 1 if none is up
#
# Nodes listen on 127.0.0.1:8983 and :8984; ZooKeeper runs embedded in the first node on 9983.
# Everything lives under $SHEAF_SOLR_HOME (default: var/solr in the repo, gitignored):
#   launcher/{classes,lib}  the Java launcher (scripts/solr/) and its Maven dependencies
#   node-PORT/              solr home of a node: solr.xml, cores, zoo.cfg+zoo_data (first node),
#                           node.log, node.pid
# Environment: SOLR_HEAP (512m), SOLR_JAVA_OPTS (extra JVM flags), SHEAF_SOLR_HOME,
#              SHEAF_SOLR_START_TIMEOUT (seconds, 180), SHEAF_SOLR_STOP_TIMEOUT (seconds, 30).
set -euo pipefail

REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
SRC="$REPO/scripts/solr"
BASE="${SHEAF_SOLR_HOME:-$REPO/var/solr}"
mkdir -p "$BASE"
BASE="$(cd "$BASE" && pwd)"
LAUNCHER="$BASE/launcher"
HEAP="${SOLR_HEAP:-512m}"
START_TIMEOUT="${SHEAF_SOLR_START_TIMEOUT:-180}"
STOP_TIMEOUT="${SHEAF_SOLR_STOP_TIMEOUT:-30}"
PORTS=(8983 8984)
ZK_NODE="${PORTS[0]}"                 # this node runs the embedded ZooKeeper
ZK_HOST="127.0.0.1:$((ZK_NODE + 1000))"
MAIN_CLASS="org.sheaf.solr.SolrNode"

log() { echo "solr.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# ---------------------------------------------------------------- tools and build

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

java_major() { java -version 2>&1 | sed -n 's/.*version "\([0-9]*\).*/\1/p' | head -1; }

ensure_tools() {
  local need=()
  if ! command -v java >/dev/null || [ "$(java_major)" -lt 17 ] 2>/dev/null; then
    need+=(openjdk-17-jdk-headless)
  fi
  command -v mvn >/dev/null || need+=(maven)
  command -v curl >/dev/null || need+=(curl)
  if [ "${#need[@]}" -gt 0 ]; then
    log "installing ${need[*]} with apt-get"
    as_root apt-get update -q
    DEBIAN_FRONTEND=noninteractive as_root apt-get install -y -q "${need[@]}"
  fi
  [ "$(java_major)" -ge 17 ] || die "Java 17+ needed, found: $(java -version 2>&1 | head -1)"
}

# Fingerprint of what the launcher is built from; a change triggers a rebuild.
source_stamp() {
  (cd "$SRC" && find pom.xml src -type f -print0 | sort -z | xargs -0 sha1sum) | sha1sum | cut -d' ' -f1
}

ensure_launcher() {
  local stamp
  stamp="$(source_stamp)"
  if [ -f "$LAUNCHER/build.stamp" ] && [ "$(cat "$LAUNCHER/build.stamp")" = "$stamp" ] \
    && [ -d "$LAUNCHER/lib" ]; then
    return 0
  fi
  ensure_tools
  log "building the Solr launcher with Maven into $LAUNCHER (first run downloads ~85 MB)"
  rm -rf "$LAUNCHER"
  mkdir -p "$LAUNCHER"
  local t0=$SECONDS
  if ! mvn -B -q -f "$SRC/pom.xml" -Dlauncher.dir="$LAUNCHER" package >"$BASE/build.log" 2>&1; then
    tail -n 40 "$BASE/build.log" >&2
    die "Maven build failed (full log: $BASE/build.log)"
  fi
  echo "$stamp" >"$LAUNCHER/build.stamp"
  log "launcher built in $((SECONDS - t0))s ($(du -sh "$LAUNCHER/lib" | cut -f1) of jars)"
}

# ---------------------------------------------------------------- node homes

node_dir() { echo "$BASE/node-$1"; }

write_node_home() {
  local port="$1" dir
  dir="$(node_dir "$port")"
  mkdir -p "$dir"
  # Minimal solr.xml for SolrCloud; ${...} are filled from system/node properties.
  cat >"$dir/solr.xml" <<'XML'
<?xml version="1.0" encoding="UTF-8" ?>
<!-- Written by scripts/solr.sh on every start: do not edit here. No zkHost entry: the first node
     runs the embedded ZK (an empty zkHost breaks it); the others get -DzkHost from the launcher. -->
<solr>
  <int name="maxBooleanClauses">${solr.max.booleanClauses:4096}</int>
  <solrcloud>
    <str name="host">${host:127.0.0.1}</str>
    <int name="hostPort">${hostPort:0}</int>
    <str name="hostContext">${hostContext:solr}</str>
    <bool name="genericCoreNodeNames">true</bool>
    <int name="zkClientTimeout">${zkClientTimeout:30000}</int>
    <int name="distribUpdateSoTimeout">600000</int>
    <int name="distribUpdateConnTimeout">60000</int>
  </solrcloud>
  <shardHandlerFactory name="shardHandlerFactory" class="HttpShardHandlerFactory">
    <int name="socketTimeout">600000</int>
    <int name="connTimeout">60000</int>
  </shardHandlerFactory>
</solr>
XML
  if [ "$port" = "$ZK_NODE" ]; then
    # Standalone ZooKeeper inside this node (Solr's zkRun); data in $dir/zoo_data.
    cat >"$dir/zoo.cfg" <<'CFG'
# Written by scripts/solr.sh. clientPort defaults to the Solr port + 1000 (bound to 127.0.0.1).
tickTime=2000
initLimit=10
syncLimit=5
admin.enableServer=false
4lw.commands.whitelist=mntr,conf,ruok
CFG
  fi
}

# PID of the running node on PORT, or nothing.
node_pid() {
  local pidfile pid
  pidfile="$(node_dir "$1")/node.pid"
  [ -f "$pidfile" ] || return 0
  pid="$(cat "$pidfile")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
    && tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$MAIN_CLASS $1 "; then
    echo "$pid"
  fi
}

http_get() { curl -fsS --max-time 10 "$1"; }

# Count of live_nodes seen by the node on PORT (0 if it does not answer).
live_nodes_count() {
  http_get "http://127.0.0.1:$1/solr/admin/collections?action=CLUSTERSTATUS&wt=json" 2>/dev/null \
    | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["cluster"]["live_nodes"]))' \
      2>/dev/null || echo 0
}

fail_with_log() {
  local port="$1" msg="$2" logf
  logf="$(node_dir "$port")/node.log"
  log "ERROR: $msg"
  if [ -f "$logf" ]; then
    if grep -qE '(ERROR|Caused by|Exception:)' "$logf"; then
      log "---- first errors in $logf ----"
      grep -m 12 -E '(ERROR|Caused by|Exception:)' "$logf" | cut -c1-400 >&2
    fi
    log "---- last 40 lines of $logf ----"
    tail -n 40 "$logf" >&2
    log "---- end of $logf ----"
  fi
  exit 1
}

start_node() {
  local port="$1" dir pid logf zkargs t0 deadline
  dir="$(node_dir "$port")"
  pid="$(node_pid "$port")"
  if [ -n "$pid" ]; then
    log "node $port already running (pid $pid)"
    return 0
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
    die "port $port is in use by another process (not a node started by this script)"
  fi
  write_node_home "$port"
  logf="$dir/node.log"
  [ -f "$logf" ] && mv -f "$logf" "$logf.prev"
  if [ "$port" = "$ZK_NODE" ]; then zkargs=(--embedded-zk); else zkargs=(--zk "$ZK_HOST"); fi
  # shellcheck disable=SC2086  # SOLR_JAVA_OPTS is a list of flags
  nohup java -Xms"$HEAP" -Xmx"$HEAP" -XX:+UseG1GC -XX:+ExitOnOutOfMemoryError \
    -Dfile.encoding=UTF-8 -Duser.timezone=UTC -Dsolr.log.dir="$dir" \
    ${SOLR_JAVA_OPTS:-} \
    -cp "$LAUNCHER/classes:$LAUNCHER/lib/*" "$MAIN_CLASS" "$port" "$dir" "${zkargs[@]}" \
    >"$logf" 2>&1 </dev/null &
  pid=$!
  echo "$pid" >"$dir/node.pid"
  log "node $port starting (pid $pid, heap $HEAP, log $logf)"
  t0=$SECONDS
  deadline=$((SECONDS + START_TIMEOUT))
  until grep -q '^SHEAF-SOLR-READY' "$logf" 2>/dev/null; do
    if ! kill -0 "$pid" 2>/dev/null; then
      rm -f "$dir/node.pid"
      fail_with_log "$port" "node $port exited during startup"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      fail_with_log "$port" "node $port not ready after ${START_TIMEOUT}s (still running as pid $pid)"
    fi
    sleep 0.5
  done
  log "node $port up after $((SECONDS - t0))s"
}

# Replicas not yet active (e.g. recovering after a node came back), one per line.
inactive_replicas() {
  http_get "http://127.0.0.1:$ZK_NODE/solr/admin/collections?action=CLUSTERSTATUS&wt=json" \
    | python3 -c '
import json, sys
c = json.load(sys.stdin)["cluster"]
for name, coll in c.get("collections", {}).items():
    for shard, sh in coll.get("shards", {}).items():
        for rep in sh.get("replicas", {}).values():
            if rep.get("state") != "active":
                print(name, shard, rep.get("core"), rep.get("node_name"), rep.get("state"))
' 2>/dev/null || echo "CLUSTERSTATUS failed"
}

# Wait until WANT nodes are live and every replica of every collection is active.
wait_cluster() {
  local want="$1" deadline n=0 bad
  deadline=$((SECONDS + START_TIMEOUT))
  while [ "$SECONDS" -lt "$deadline" ]; do
    n="$(live_nodes_count "$ZK_NODE")"
    [ "$n" -ge "$want" ] && break
    sleep 0.5
  done
  [ "$n" -ge "$want" ] ||
    fail_with_log "${PORTS[-1]}" "cluster shows $n live node(s), expected $want, after ${START_TIMEOUT}s"
  while :; do
    bad="$(inactive_replicas)"
    [ -z "$bad" ] && return 0
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "replicas still not active after ${START_TIMEOUT}s:"
      echo "$bad" >&2
      fail_with_log "${PORTS[-1]}" "cluster is up but not all replicas are active"
    fi
    sleep 0.5
  done
}

stop_node() {
  local port="$1" pid dir deadline
  dir="$(node_dir "$port")"
  pid="$(node_pid "$port")"
  if [ -z "$pid" ]; then
    log "node $port is not running"
    rm -f "$dir/node.pid"
    return 0
  fi
  [ "$port" = "$ZK_NODE" ] && log "note: node $port also hosts ZooKeeper ($ZK_HOST)"
  log "stopping node $port (pid $pid)"
  kill -TERM "$pid"
  deadline=$((SECONDS + STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "node $port still alive after ${STOP_TIMEOUT}s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.3
  done
  rm -f "$dir/node.pid"
}

# ---------------------------------------------------------------- commands

cmd_start() {
  ensure_tools
  ensure_launcher
  local t0=$SECONDS port
  for port in "${PORTS[@]}"; do start_node "$port"; done
  wait_cluster "${#PORTS[@]}"
  log "SolrCloud up: ${#PORTS[@]} live nodes, all replicas active (zk $ZK_HOST) in $((SECONDS - t0))s;" \
    "admin UI http://127.0.0.1:${PORTS[0]}/solr/"
}

cmd_stop() {
  local i
  for ((i = ${#PORTS[@]} - 1; i >= 0; i--)); do stop_node "${PORTS[i]}"; done
}

cmd_stop_node() {
  local port="${1:-}" p
  for p in "${PORTS[@]}"; do
    if [ "$p" = "$port" ]; then stop_node "$port"; return 0; fi
  done
  die "usage: $0 stop-node PORT (one of: ${PORTS[*]})"
}

cmd_status() {
  local port pid up=()
  for port in "${PORTS[@]}"; do
    pid="$(node_pid "$port")"
    if [ -n "$pid" ] && http_get "http://127.0.0.1:$port/solr/admin/info/system?wt=json" >/dev/null 2>&1; then
      echo "node $port: up (pid $pid)"
      up+=("$port")
    elif [ -n "$pid" ]; then
      echo "node $port: process running (pid $pid) but not answering HTTP"
    else
      echo "node $port: down"
    fi
  done
  if [ "${#up[@]}" -eq 0 ]; then
    echo "no node is up"
    return 1
  fi
  local cs
  if ! cs="$(http_get "http://127.0.0.1:${up[0]}/solr/admin/collections?action=CLUSTERSTATUS&wt=json" 2>&1)"; then
    echo "CLUSTERSTATUS failed on node ${up[0]} (is ZooKeeper on node $ZK_NODE down?): $cs"
    return 0
  fi
  python3 -c '
import json, sys
c = json.load(sys.stdin)["cluster"]
print("live_nodes:", " ".join(sorted(c.get("live_nodes", []))) or "(none)")
for name, coll in sorted(c.get("collections", {}).items()):
    print("collection %s: health=%s shards=%d" % (name, coll.get("health", "?"), len(coll.get("shards", {}))))
for alias, target in sorted(c.get("aliases", {}).items()):
    print("alias %s -> %s" % (alias, target))
' <<<"$cs"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  stop-node) cmd_stop_node "${2:-}" ;;
  status) cmd_status ;;
  *)
    echo "usage: $0 {start|stop|stop-node PORT|status}" >&2
    exit 2
    ;;
esac
