#!/usr/bin/env bash
# The sweep benchmark: a 16-run sweep of tiny runs (4 learning rates x 4 seeds, 4 epochs) on the distributed setup
# (Azurite store, PostgreSQL queue, the web app's sweep coordinator, 2 worker processes of one thread each), without
# and with successive halving (reduction 2, rungs at epochs 1 and 2). Prints each sweep's wall time and the
# workers' utilisation (busy time / (workers x wall)) and writes them, with lscpu's model and flags, to
# benchmarks/sweeps-<date>.json. Needs scripts/setup.sh and scripts/test-services.sh (Azurite, PostgreSQL) first.
#   scripts/sweep-bench.sh
#   options: --epochs N (4), --train-subset N (1280), --out FILE
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build DigitGan.sln -c Release -nologo -v q -clp:ErrorsOnly
exec dotnet tests/DigitGan.PipelineBenchmarks/bin/Release/net10.0/DigitGan.PipelineBenchmarks.dll sweeps "$@"
