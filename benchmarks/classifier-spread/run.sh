#!/usr/bin/env bash
# How far two classifiers' scores of the same digits differ: trains the metric classifier again with other seeds
# (each in its own store beside the source store's datasets), then scores the same checkpoints with every classifier.
# Usage: [CLASSIFIER_SEEDS="1 2"] benchmarks/classifier-spread/run.sh SOURCE_STORE WORK_DIR SAMPLES CHECKPOINT...
# Writes WORK_DIR/scores.tsv: one line for each checkpoint and classifier (the source store's own, then one per seed).
set -euo pipefail
source_store=$1 work=$2 samples=$3; shift 3
jobs="dotnet $(dirname "$0")/../../src/Jobs/bin/Release/net10.0/DigitGan.Jobs.dll"
mkdir -p "$work"
stores=("$source_store")
for seed in ${CLASSIFIER_SEEDS:-1 2}; do
  store="$work/classifier-seed$seed"
  if [[ ! -f "$store/datasets/mnist/classifier/manifest.json" ]]; then
    mkdir -p "$store/datasets/mnist"
    cp "$source_store"/datasets/mnist/*-ubyte "$source_store"/datasets/mnist/manifest.json "$store/datasets/mnist/"
    $jobs train-classifier --seed "$seed" --threads 2 --store "$store"
  fi
  stores+=("$store")
done
printf 'checkpoint\tclassifier\ttest_accuracy\tfloor\tIS\tFID\tclasses\tconfidence\n' > "$work/scores.tsv"
for ckpt in "$@"; do
  for store in "${stores[@]}"; do
    out="$work/eval-$(basename "$(dirname "$(dirname "$ckpt")")")-$(basename "$store").json"
    $jobs evaluate "$ckpt" --samples "$samples" --threads 2 --store "$store" --out "$out" > /dev/null
    python3 - "$ckpt" "$out" >> "$work/scores.tsv" <<'PY'
import json, sys
ckpt, out = sys.argv[1:]
r = json.load(open(out))
e = r["metrics"]
print("\t".join([ckpt.split("/runs/")[-1].split("/")[0], r["classifierSha256"][:12], f"{r['classifierTestAccuracy']:.4f}", f"{e['fidFloor']:.3f}",
                 f"{e['inceptionScore']:.3f}", f"{e['fid']:.3f}", str(e['classesAtLeast5Percent']), f"{e['confidence']:.3f}"]))
PY
  done
done
column -t -s $'\t' "$work/scores.tsv"
