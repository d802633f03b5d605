#!/usr/bin/env bash
# The nightly training client: the nightly-training workflow runs exactly this script, and so does its test.
# Submits a run to the DigitGan web app at $DIGITGAN_URL with $DIGITGAN_API_KEY, tagged "nightly" and the commit,
# waits for it, downloads the final grid and the GIF into $OUT, appends a Markdown summary to
# $GITHUB_STEP_SUMMARY (or $OUT/summary.md) and exits non-zero when the run fails, is cancelled, times out, or
# ends with an FID above $MAX_FID.
# Settings (environment): EPOCHS (50), SEED (0), TAGS (comma-separated extra tags), MAX_FID (none),
# TIMEOUT_MINUTES (330), POLL_SECONDS (30), OUT (nightly), NIGHTLY_NAME (nightly-YYYYMMDD),
# NIGHTLY_EXTRA_ARGS (more `submit` flags, e.g. "--train-subset 6000").
set -euo pipefail
cd "$(dirname "$0")/.."

: "${DIGITGAN_URL:?set DIGITGAN_URL to the web app, e.g. https://digitgan.example.org}"
: "${DIGITGAN_API_KEY:?set DIGITGAN_API_KEY to the web app API key}"
out="${OUT:-nightly}"
mkdir -p "$out"
commit="${GITHUB_SHA:-$(git rev-parse HEAD 2>/dev/null || echo unknown)}"

dll="src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll"
[ -f "$dll" ] || dotnet build src/Jobs -c Release -v q -nologo >/dev/null

args=(submit --wait --url "$DIGITGAN_URL"
  --name "${NIGHTLY_NAME:-nightly-$(date -u +%Y%m%d)}"
  --epochs "${EPOCHS:-50}" --seed "${SEED:-0}"
  --tag nightly --tag "$commit"
  --timeout-minutes "${TIMEOUT_MINUTES:-330}" --poll-seconds "${POLL_SECONDS:-30}"
  --out "$out" --summary "${GITHUB_STEP_SUMMARY:-$out/summary.md}")
IFS=',' read -r -a extra_tags <<< "${TAGS:-}"
for tag in "${extra_tags[@]}"; do
  tag="${tag// /}"
  [ -n "$tag" ] && args+=(--tag "$tag")
done
[ -n "${MAX_FID:-}" ] && args+=(--max-fid "$MAX_FID")
# shellcheck disable=SC2086 # NIGHTLY_EXTRA_ARGS is a list of flags
exec dotnet "$dll" "${args[@]}" ${NIGHTLY_EXTRA_ARGS:-}
