#!/usr/bin/env bash
# Sets up DigitGan (scripts/setup.sh) and starts the web app on the embedded default: artifacts and a SQLite queue in
# the local data folder, and a local worker process that the web app starts, restarts and stops. When the store has no runs yet, it submits a
# first-look run (the preset: digits within 2-4 minutes of training on 2 cores) so there is something to browse. Ctrl+C stops it; runs left unfinished
# are picked up again at the next start. Extra arguments go to the web app (e.g. --urls http://0.0.0.0:5080).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh
export ASPNETCORE_URLS="${ASPNETCORE_URLS:-http://localhost:5080}"
echo "run: starting DigitGan on $ASPNETCORE_URLS (runs: $ASPNETCORE_URLS/runs, API reference: $ASPNETCORE_URLS/api/reference; Ctrl+C stops it) ..."
exec dotnet src/Web/bin/Release/net10.0/DigitGan.Web.dll --DigitGan:SubmitQuickRunWhenEmpty=true "$@"
