#!/usr/bin/env bash
# The soak benchmark: submits short runs in bursts against the embedded default (web app + local worker) and the
# distributed setup (PostgreSQL queue, Azurite store, 2 worker processes), killing workers at random; prints runs
# finished, lost and duplicated (lost and duplicated must be 0), the p95 of GET /api/runs during the soak and the
# peak RSS of the web app and the workers; then counts run-index write conflicts per minute with 8 simulated workers.
# Writes the figures (with lscpu model and flags) to benchmarks/soak-<date>.json; exits 1 when a run was lost or
# duplicated. Needs scripts/setup.sh and scripts/test-services.sh (Azurite, PostgreSQL) done first.
#   scripts/soak.sh                      # 200 runs per setup (the default)
#   scripts/soak.sh --runs 60            # fewer runs on a small machine
#   options: --runs N, --seed N, --conflict-seconds N (60), --only embedded|distributed|conflicts, --out FILE
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build DigitGan.sln -c Release -nologo -v q -clp:ErrorsOnly
exec dotnet tests/DigitGan.PipelineBenchmarks/bin/Release/net10.0/DigitGan.PipelineBenchmarks.dll soak "$@"
