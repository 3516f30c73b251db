#!/usr/bin/env bash
# A 30-minute soak: the published server (Release) with the demo simulator running, pings at a steady rate, 50
# subscribers and an operator's reports; RSS, managed heap, threads and fan-out p99 are sampled every minute and
# written to docs/soak.csv and docs/soak.svg, with a verdict (flat or growing). The server runs alone on core 0 and
# the load on core 1 when the machine has two cores or more. Stops by itself.
#   bash bench/soak.sh [--minutes 30] [--subscribers 50] [--pings 200] [--reports 2] [--out docs/soak]
set -euo pipefail
cd "$(dirname "$0")/.."
server=bench/.server
dotnet publish CrowdShield.Web -c Release -o "$server" -v quiet -nologo
dotnet build -c Release bench/CrowdShield.Benchmarks -v quiet -nologo
client=()
if [[ $(nproc) -ge 2 ]]; then
  export BENCH_SERVER_CPUS=0
  client=(taskset -c 1)
fi
exec "${client[@]}" dotnet bench/CrowdShield.Benchmarks/bin/Release/net10.0/CrowdShield.Benchmarks.dll soak --server "$server/CrowdShield.Web.dll" "$@" --out docs/soak
