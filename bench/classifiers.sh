#!/usr/bin/env bash
# Benchmarks briefing-topics on public labelled data: fetch -> train -> eval for each data set.
#
#   bench/classifiers.sh [--anchors] [-- EXTRA TRAIN FLAGS]
#
# Fetches the data with scripts/fetch-classification-data.py (80/20 splits under
# data/classification, git-ignored), builds `briefing` in release mode, and for each data set
# trains with the default settings (plus EXTRA TRAIN FLAGS), evaluates on the test split and
# measures prediction speed on one thread (median of SPEED_RUNS runs of about a second each,
# default 5). Prints one Markdown row per data set: accuracy / macro-F1 / calibration error /
# train seconds (wall, 2 threads) / predict docs/s.
#
# --anchors also runs fastText and TF-IDF + LinearSVC / MultinomialNB on the same splits
# (bench/anchors.py, in a throwaway virtualenv under data/ with fasttext-wheel and
# scikit-learn from PyPI).
#
# Results are also written to bench/runs/classifiers-YYYY-MM-DD-HHMMSS.md (git-ignored data
# stays under data/; the run file is small and may be kept).
set -euo pipefail
cd "$(dirname "$0")/.."

anchors=0
if [[ "${1:-}" == "--anchors" ]]; then
    anchors=1
    shift
fi
if [[ "${1:-}" == "--" ]]; then
    shift
fi
extra=("$@")

data=data/classification
speed_runs=${SPEED_RUNS:-5}
python3 scripts/fetch-classification-data.py --out "$data" >&2
cargo build --release --quiet -p briefing-cli
bin=target/release/briefing
models=$(mktemp -d)
trap 'rm -rf "$models"' EXIT

mkdir -p bench/runs
run_file="bench/runs/classifiers-$(date +%Y-%m-%d-%H%M%S).md"
{
    echo "# briefing-topics on public data ($(date -u +%Y-%m-%dT%H:%MZ), $(nproc) cores)"
    echo
    command="bench/classifiers.sh"
    [[ $anchors == 1 ]] && command+=" --anchors"
    [[ ${#extra[@]} -gt 0 ]] && command+=" -- ${extra[*]}"
    echo "Command: \`$command\`"
    echo
    echo "| data set | accuracy | macro-F1 | ECE | train s | predict docs/s (1 thread, median of $speed_runs) |"
    echo "|---|---|---|---|---|---|"
} | tee "$run_file"

for set in trec-coarse trec-fine sms-spam rt-snippets; do
    model="$models/$set.json"
    start=$(date +%s.%N)
    "$bin" topics train --data "$data/$set/train.jsonl" --out "$model" "${extra[@]}" 2>/dev/null
    end=$(date +%s.%N)
    train_s=$(python3 -c "print(f'{$end - $start:.2f}')")
    # Prediction speed varies from run to run on a shared machine: the median of $speed_runs.
    for run in $(seq "$speed_runs"); do
        "$bin" topics eval --model "$model" --data "$data/$set/test.jsonl" --json --throughput \
            | tail -n 1 >"$models/$set.eval.$run.json"
    done
    python3 -c "
import json, statistics, sys
runs = [json.load(open(f'$models/$set.eval.{i}.json')) for i in range(1, $speed_runs + 1)]
r = runs[0]
speed = statistics.median(run['predict_docs_per_sec'] for run in runs)
print(f\"| $set | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['ece']:.3f} | $train_s | {speed:,.0f} |\")
" | tee -a "$run_file"
done

if [[ $anchors == 1 ]]; then
    venv=data/anchors-venv
    if [[ ! -x $venv/bin/python ]]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet fasttext-wheel scikit-learn numpy
    fi
    { echo; echo '```'; "$venv/bin/python" bench/anchors.py "$data"; echo '```'; } | tee -a "$run_file"
fi
