#!/usr/bin/env bash
# Publishes CrowdShield (Release, as it is deployed) and builds the benchmark, then runs the load benchmark on
# 127.0.0.1. Extra arguments go to the benchmark, e.g.: bash bench/run.sh --seconds 5 --runs 1
# --pin runs the server alone on core 0 and the benchmark on core 1, as ../shared/bench/compare.sh does: a server
# sharing its cores with its own load client looks faster than it is. Without it both share every core.
# The dashboard scenario drives Debian's Chromium (apt-get install -y chromium); --dashboards 0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
server=bench/.server
client=()
args=()
for arg in "$@"; do
  if [[ $arg == --pin ]]; then
    export BENCH_SERVER_CPUS=0
    client=(taskset -c 1)
  else
    args+=("$arg")
  fi
done
dotnet publish CrowdShield.Web -c Release -o "$server" -v quiet -nologo
dotnet build -c Release bench/CrowdShield.Benchmarks -v quiet -nologo
exec "${client[@]}" dotnet bench/CrowdShield.Benchmarks/bin/Release/net10.0/CrowdShield.Benchmarks.dll --server "$server/CrowdShield.Web.dll" "${args[@]}"
