#!/usr/bin/env bash
# Discriminator-ranked sampling on finished checkpoints: scores each checkpoint with `evaluate --sample-keep K` for every
# K (the run's own evaluation noise and sample count, its own discriminator ranking the digits; training is the same
# whatever K is, so no run is trained again).
# Usage: [KEEPS="1 0.9 0.8 0.7"] [THREADS=2] [JOBS_DLL=path/DigitGan.Jobs.dll] benchmarks/sample-keep/run.sh STORE OUT_TSV CHECKPOINT...
# Writes OUT_TSV: one line for each checkpoint and K, and prints it as a table.
set -euo pipefail
store=$1 out_tsv=$2; shift 2
jobs="dotnet ${JOBS_DLL:-$(dirname "$0")/../../src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
printf 'checkpoint\tepoch\tsample_keep\tclassifier\tsamples\tfloor\tIS\tFID\tFID_over_floor\tclasses\tconfidence\thistogram\n' > "$out_tsv"
for ckpt in "$@"; do
  for keep in ${KEEPS:-1 0.9 0.8 0.7}; do
    $jobs evaluate "$ckpt" --sample-keep "$keep" --threads "${THREADS:-2}" --store "$store" --out "$work/eval.json" > /dev/null
    python3 - "$ckpt" "$work/eval.json" >> "$out_tsv" <<'PY'
import json, sys
ckpt, out = sys.argv[1:]
r = json.load(open(out))
e = r["metrics"]
print("\t".join([ckpt.split("/runs/")[-1].split("/")[0], str(e["epoch"]), f"{r['sampleKeep']:g}", r["classifierSha256"][:12], str(e["samples"]),
                 f"{e['fidFloor']:.3f}", f"{e['inceptionScore']:.3f}", f"{e['fid']:.3f}", f"{e['fid'] / e['fidFloor']:.1f}",
                 str(e["classesAtLeast5Percent"]), f"{e['confidence']:.3f}", ",".join(map(str, e["classHistogram"]))]))
PY
  done
done
column -t -s $'\t' "$out_tsv"
