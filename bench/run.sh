#!/usr/bin/env bash
# Builds CrowdShield and the benchmark in Release and runs the load benchmark on 127.0.0.1.
# Extra arguments go to the benchmark, e.g.: bash bench/run.sh --seconds 5 --runs 1
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build -c Release CrowdShield.Web -v quiet -nologo
dotnet build -c Release bench/CrowdShield.Benchmarks -v quiet -nologo
exec dotnet bench/CrowdShield.Benchmarks/bin/Release/net10.0/CrowdShield.Benchmarks.dll \
  --server CrowdShield.Web/bin/Release/net10.0/CrowdShield.Web.dll "$@"
