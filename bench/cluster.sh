#!/usr/bin/env bash
# What cluster mode costs: the shared load tool (../shared/bench/load) against
#   1. one node on SQLite (the default), then
#   2. two nodes on PostgreSQL + Redis behind nginx with the sticky cookie of deploy/nginx.conf, which spreads
#      the SignalR subscribers over both nodes (each keeps its own cookie jar) and the API calls too,
# in the same run, on this machine, unpinned (with two cores, two nodes plus their databases cannot each get
# a core: the goal of cluster mode is correctness, not speed). Needs postgresql, redis-server, nginx, node.
#   bash bench/cluster.sh [-- extra load.mjs options]     default: --subscribers 500 --rate 20 --duration 10
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
shared=${SHARED_BENCH:-$root/../shared/bench}
[[ ${1:-} == -- ]] && shift
extra=("$@")
[[ ${#extra[@]} -gt 0 ]] || extra=(--subscribers 500 --rate 20 --duration 10)
out=${BENCH_OUT:-$(mktemp -d /tmp/cluster-bench.XXXXXX)}
mkdir -p "$out"
chmod 777 "$out"

# The load tool needs its node_modules; shared/ may be read-only, so it runs from a cached copy.
load=${BENCH_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/crowdshield-bench}/load
mkdir -p "$load"
cp -r "$shared/load/." "$load/"
[[ -d $load/node_modules ]] || (cd "$load" && npm ci --no-audit --no-fund >&2)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  [[ -n ${pgdata:-} ]] && runas "$pgbin/pg_ctl" -D "$pgdata" -m immediate stop >/dev/null 2>&1 || true
}
trap cleanup EXIT
runas() { if [[ $(id -u) == 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
wait_ready() { for _ in $(seq 120); do curl -fsS -o /dev/null "$1/health/live" 2>/dev/null && return 0; sleep 0.5; done; echo "no answer from $1" >&2; return 1; }
cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
peak_mb() { awk '/VmHWM/ {printf "%.0f", $2/1024}' "/proc/$1/status"; }

echo "publishing CrowdShield (Release) ..." >&2
dotnet publish "$root/CrowdShield.Web" -c Release -o "$out/server" -v quiet -nologo >&2
admin_email=bench-admin@example.com
admin_password="Bench-Admin-$RANDOM-Pw1!"
key=$(head -c 48 /dev/urandom | base64 | tr -d '\n')

start_node() { # start_node NAME PORT ENV...: prints the pid
  local name=$1 port=$2; shift 2
  (cd "$out/server" && exec env ASPNETCORE_ENVIRONMENT=Production Demo__Enabled=false Jwt__SigningKey="$key" \
    Bootstrap__AdminEmail=$admin_email Bootstrap__AdminPassword="$admin_password" Storage__DataDirectory="$out/$name" \
    RateLimits__Ingest__PerUser=1000000 Logging__LogLevel__Default=Warning "$@" \
    dotnet CrowdShield.Web.dll --urls "http://127.0.0.1:$port") > "$out/$name.log" 2>&1 &
  echo $!
}
run_load() { # run_load NAME URL [PID]
  node "$load/load.mjs" --target crowdshield --url "$2" ${3:+--pid "$3"} --admin-email "$admin_email" --admin-password "$admin_password" \
    --scenario all --out "$out/$1.json" "${extra[@]}" > /dev/null 2> "$out/$1.load.log" || { echo "load tool failed on $1 (see $out/$1.load.log)" >&2; exit 1; }
}

# 1. One node on SQLite.
port=$(free_port)
single=$(start_node single "$port"); pids+=("$single")
wait_ready "http://127.0.0.1:$port"
echo "one node, SQLite ..." >&2
run_load single-sqlite "http://127.0.0.1:$port" "$single"
kill -TERM "$single"; wait "$single" 2>/dev/null || true

# 2. PostgreSQL, Redis, two nodes, nginx.
pgbin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
pgdata="$out/pg/data"; mkdir -p "$out/pg"; [[ $(id -u) == 0 ]] && chown postgres "$out/pg"
pgport=$(free_port)
runas "$pgbin/initdb" -D "$pgdata" -U cs --auth=trust -E UTF8 > /dev/null
runas "$pgbin/pg_ctl" -D "$pgdata" -l "$out/pg/log" -w -o "-p $pgport -k $out/pg -c listen_addresses=127.0.0.1 -c max_connections=300" start > /dev/null
redisport=$(free_port)
redis-server --port "$redisport" --bind 127.0.0.1 --save "" --appendonly no --daemonize no > "$out/redis.log" 2>&1 &
pids+=($!)
cluster=(Database__Provider=Postgres "ConnectionStrings__CrowdShield=Host=127.0.0.1;Port=$pgport;Username=cs;Database=postgres" \
  "ConnectionStrings__Redis=127.0.0.1:$redisport")
porta=$(free_port); portb=$(free_port); lbport=$(free_port)
node_a=$(start_node node-a "$porta" "${cluster[@]}"); pids+=("$node_a")
wait_ready "http://127.0.0.1:$porta"
node_b=$(start_node node-b "$portb" "${cluster[@]}"); pids+=("$node_b")
wait_ready "http://127.0.0.1:$portb"
sed -e "s/listen 80;/listen 127.0.0.1:$lbport;/" -e "s/node-a:8080/127.0.0.1:$porta/" -e "s/node-b:8080/127.0.0.1:$portb/" \
  "$root/deploy/nginx.conf" > "$out/site.conf"
cat > "$out/nginx.conf" <<CONF
worker_processes 1;
error_log $out/nginx.error.log warn;
pid $out/nginx.pid;
events { worker_connections 8192; }
http { access_log off; include $out/site.conf; }
CONF
nginx -c "$out/nginx.conf" -g 'daemon off;' &
pids+=($!)
wait_ready "http://127.0.0.1:$lbport"

echo "two nodes, PostgreSQL + Redis, nginx ..." >&2
# How the subscribers spread: established connections to each node, sampled every second.
(while sleep 1; do echo "$(ss -Htn state established "( sport = :$porta )" | wc -l) $(ss -Htn state established "( sport = :$portb )" | wc -l)"; done) > "$out/connections.txt" &
pids+=($!)
ticks_a=$(cpu_ticks "$node_a"); ticks_b=$(cpu_ticks "$node_b"); started=$(date +%s.%N)
run_load cluster-postgres "http://127.0.0.1:$lbport" "$node_a"
elapsed=$(echo "$(date +%s.%N) - $started" | bc)
hz=$(getconf CLK_TCK)
for n in a b; do
  pid_var=node_$n; ticks_var=ticks_$n
  cpu=$(echo "scale=1; ($(cpu_ticks "${!pid_var}") - ${!ticks_var}) * 100 / $hz / $elapsed" | bc)
  echo "node $n: $cpu % of a core over the whole run, peak RSS $(peak_mb "${!pid_var}") MB" >> "$out/nodes.txt"
done
echo "most connections at once (node a, node b): $(sort -n -k1 -k2 "$out/connections.txt" | awk '{s=$1+$2; if (s>m) {m=s; l=$0}} END {print l}')" >> "$out/nodes.txt"

# Seq under concurrent publishers on both nodes: one event (one counter row) against sixteen.
dotnet build -c Release "$root/bench/CrowdShield.Benchmarks" -v quiet -nologo >&2
for events in 1 16; do
  dotnet "$root/bench/CrowdShield.Benchmarks/bin/Release/net10.0/CrowdShield.Benchmarks.dll" publishers \
    --urls "http://127.0.0.1:$porta,http://127.0.0.1:$portb" --admin-email "$admin_email" --admin-password "$admin_password" \
    --events "$events" --publishers 16 --seconds 10 >> "$out/publishers.txt"
done

node "$load/table.mjs" "$out/single-sqlite.json" "$out/cluster-postgres.json"
cat "$out/publishers.txt"
cat "$out/nodes.txt"
echo "results and logs: $out" >&2
