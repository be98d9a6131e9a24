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
# Per data set, the minimum feature count is chosen on the training split only (never the
# test split): 5-fold cross-validation (`briefing topics cv`) with `--min-count 1` and
# `--min-count 2`; 2 (a smaller model: features seen in one training text dropped) is kept
# unless its pooled accuracy or macro-F1 is more than 0.005 below that of 1. SELECT=0, or a
# --min-count among EXTRA TRAIN FLAGS, skips the choice.
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
select=${SELECT:-1}
[[ " ${extra[*]} " == *" --min-count "* ]] && select=0
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
    echo "| data set | min count (CV on train) | accuracy | macro-F1 | ECE | train s | predict docs/s (1 thread, median of $speed_runs) |"
    echo "|---|---|---|---|---|---|---|"
} | tee "$run_file"

# Pooled 5-fold cross-validation on a training split, as one JSON line.
cv() {
    "$bin" topics cv --data "$1" --folds 5 --json "${@:2}" 2>/dev/null | tail -n 1
}

for set in trec-coarse trec-fine sms-spam rt-snippets; do
    model="$models/$set.json"
    chosen=()
    min_count=default
    if [[ $select == 1 ]]; then
        train="$data/$set/train.jsonl"
        min_count=$(python3 -c "
import json, sys
one, two = json.loads(sys.argv[1]), json.loads(sys.argv[2])
keep = all(two[m] >= one[m] - 0.005 for m in ('accuracy', 'macro_f1'))
print(2 if keep else 1)
" "$(cv "$train" --min-count 1 "${extra[@]}")" "$(cv "$train" --min-count 2 "${extra[@]}")")
        chosen=(--min-count "$min_count")
    fi
    start=$(date +%s.%N)
    "$bin" topics train --data "$data/$set/train.jsonl" --out "$model" "${extra[@]}" "${chosen[@]}" 2>/dev/null
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
print(f\"| $set | $min_count | {r['accuracy']:.3f} | {r['macro_f1']:.3f} | {r['ece']:.3f} | $train_s | {speed:,.0f} |\")
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
