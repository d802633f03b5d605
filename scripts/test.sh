#!/usr/bin/env bash
# Sets up (scripts/setup.sh: MNIST fetched and verified, Release build, classifier; scripts/test-services.sh:
# Azurite) and runs every test project. The tests start the services they need (Azurite on a free port) and stop them.
# Prints the per-test output of the runner, then one summary line summed from the TRX results:
#   N passed, N failed[, N skipped]
# and exits non-zero when anything failed (a test project that produced no results counts as one failure).
# Results (TRX) are left in TestResults/.
set -uo pipefail
cd "$(dirname "$0")/.."

scripts/setup.sh || { echo "0 passed, 1 failed"; exit 1; }
scripts/test-services.sh || { echo "0 passed, 1 failed"; exit 1; }

results="$PWD/TestResults"
rm -rf "$results"
mkdir -p "$results"

# Each project writes its own TestResults/<project>.trx (Directory.Build.props), so no report overwrites another.
dotnet test --solution DigitGan.sln -c Release --no-build --no-progress -p:DigitGanTrxPerProject=true \
  --results-directory "$results" --report-xunit-trx
status=$?

# One TRX file per test project: <Counters total="N" executed="N" passed="N" failed="N" ... notExecuted="N" ...>
counter() { grep -o '<Counters [^>]*>' "$1" | grep -o " $2=\"[0-9]*\"" | grep -o '[0-9]*' || echo 0; }
passed=0 failed=0 skipped=0 reports=0
for report in "$results"/*.trx; do
  [ -e "$report" ] || continue
  reports=$((reports + 1))
  passed=$((passed + $(counter "$report" passed)))
  failed=$((failed + $(counter "$report" failed) + $(counter "$report" error) + $(counter "$report" timeout) + $(counter "$report" aborted)))
  skipped=$((skipped + $(counter "$report" notExecuted)))
done
projects=$(grep -l "xunit.v3" tests/*/*.csproj | wc -l)
if [ "$reports" -lt "$projects" ]; then
  echo "test.sh: only $reports of $projects test projects produced results (one crashed or did not build)" >&2
  failed=$((failed + projects - reports))
fi

summary="$passed passed, $failed failed"
[ "$skipped" -gt 0 ] && summary="$summary, $skipped skipped"
echo "$summary"
if [ "$failed" -gt 0 ] || [ "$status" -ne 0 ]; then
  [ "$failed" -eq 0 ] && echo "test.sh: the test runner exited with $status" >&2
  exit 1
fi
