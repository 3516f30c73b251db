#!/usr/bin/env bash
# Publishes CrowdShield (Release, as it is deployed) and builds the benchmark, then runs the load benchmark on
# 127.0.0.1. Extra arguments go to the benchmark, e.g.: bash bench/run.sh --seconds 5 --runs 1
# The dashboard scenario drives Debian's Chromium (apt-get install -y chromium); --dashboards 0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
server=bench/.server
dotnet publish CrowdShield.Web -c Release -o "$server" -v quiet -nologo
dotnet build -c Release bench/CrowdShield.Benchmarks -v quiet -nologo
exec dotnet bench/CrowdShield.Benchmarks/bin/Release/net10.0/CrowdShield.Benchmarks.dll --server "$server/CrowdShield.Web.dll" "$@"
