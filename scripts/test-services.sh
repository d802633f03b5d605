#!/usr/bin/env bash
# Installs the services the integration tests start themselves, into the repository (git-ignored .tools/):
#   Azurite (npm azurite@3.37.0): the tests start azurite-blob on a free port with a temporary data folder and
#   stop it when they finish.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

azurite=".tools/azurite"
if [ -x "$azurite/node_modules/.bin/azurite-blob" ]; then
  echo "test-services: Azurite present in $azurite"
else
  echo "test-services: installing Azurite (npm azurite@3.37.0) into $azurite ..."
  mkdir -p "$azurite"
  (cd "$azurite" && npm install --no-audit --no-fund --loglevel=error azurite@3.37.0 >/dev/null)
fi
