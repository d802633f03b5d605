#!/usr/bin/env bash
# Sets up (scripts/setup.sh) and trains one run of the TF-tutorial DCGAN on the embedded default store.
# Extra arguments go to `DigitGan.Jobs train`, e.g. `scripts/train.sh --epochs 1` for a quick check.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
exec dotnet src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll train "$@"
