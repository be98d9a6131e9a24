#!/usr/bin/env bash
# Benchmarks `briefing process`, `briefing index` and `briefing search` on the ~100 MB corpus of
# scripts/fetch-bench-corpus.sh, with the Python anchors beside them (absolute times on a shared
# machine drift, so compare within one run).
#
#   scripts/bench-corpus.sh [--anchors] [--runs N] [CORPUS_DIR]     (default: data/bench-corpus, 3 runs)
#   BRIEFING_BIN=/tmp/briefing-old scripts/bench-corpus.sh ...        (another binary, no build)
#
# Every measurement runs under /usr/bin/time -v: wall seconds, CPU seconds (user + sys) and peak
# RSS; the medians of N runs are reported. Also reported: MB/s of input (10^6 bytes, after gzip
# decompression), MB per CPU-second (less sensitive to a busy machine), and the 1 → 2 thread
# speed-up. Queries: 1,000 lines sampled from the corpus (data/bench-queries.txt, fixed seed).
#
# --anchors also runs bench/bm25_anchors.py (HF tokenizers, bm25s, rank_bm25) on the same
# paragraphs, in a virtualenv under data/bench-venv (pip install bm25s rank_bm25 tokenizers).
#
# Results go to stdout as Markdown and to bench/runs/corpus-YYYY-MM-DD-HHMMSS.md; scratch files
# (outputs, index) under data/bench-out (git-ignored).
set -euo pipefail
cd "$(dirname "$0")/.."

anchors=0
runs=3
while [[ $# -gt 0 ]]; do
    case "$1" in
        --anchors) anchors=1; shift ;;
        --runs) runs=$2; shift 2 ;;
        *) break ;;
    esac
done
corpus=${1:-data/bench-corpus}
[[ -d "$corpus" ]] || { echo "no corpus at $corpus: run scripts/fetch-bench-corpus.sh first" >&2; exit 1; }

out=data/bench-out
mkdir -p "$out" bench/runs
run_file=bench/runs/corpus-$(date +%Y-%m-%d-%H%M%S).md

# BRIEFING_BIN=PATH benchmarks that binary instead (for example a copy of an earlier build).
if [[ -n ${BRIEFING_BIN:-} ]]; then
    bin=$BRIEFING_BIN
else
    echo "building briefing (release)" >&2
    cargo build --release --quiet -p briefing-cli
    bin=target/release/briefing
fi

# Median of the numbers on stdin.
median() { sort -g | awk '{a[NR]=$1} END {print (NR % 2) ? a[(NR+1)/2] : (a[NR/2] + a[NR/2+1]) / 2}'; }

# measure NAME CMD...: runs CMD $runs times under /usr/bin/time -v; sets WALL, CPU, RSS_MB (medians)
# and keeps the last run's stderr in $out/NAME.err.
measure() {
    local name=$1
    shift
    local walls=() cpus=() rsss=()
    for ((i = 0; i < runs; i++)); do
        /usr/bin/time -v -o "$out/$name.time" "$@" >"$out/$name.stdout" 2>"$out/$name.err"
        walls+=("$(awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (j = 1; j <= n; j++) s = s * 60 + t[j]; print s}' "$out/$name.time")")
        cpus+=("$(awk -F': ' '/User time/ {u = $2} /System time/ {s = $2} END {print u + s}' "$out/$name.time")")
        rsss+=("$(awk -F': ' '/Maximum resident/ {print $2 / 1024}' "$out/$name.time")")
    done
    WALL=$(printf '%s\n' "${walls[@]}" | median)
    CPU=$(printf '%s\n' "${cpus[@]}" | median)
    RSS_MB=$(printf '%s\n' "${rsss[@]}" | median)
}

report() { echo "$*" | tee -a "$run_file"; }

mb=$(python3 - "$corpus" <<'PY'
import gzip, os, sys
total = 0
for dirpath, _, files in os.walk(sys.argv[1]):
    for name in files:
        path = os.path.join(dirpath, name)
        total += len(gzip.open(path).read()) if name.endswith(".gz") else os.path.getsize(path)
print(f"{total / 1e6:.1f}")
PY
)

report "# briefing corpus benchmark, $(date -u +%Y-%m-%dT%H:%M:%SZ)"
report ""
report "Binary: $bin. Corpus: $corpus, $mb MB decompressed; $(nproc) cores; load average $(cut -d' ' -f1-3 /proc/loadavg); medians of $runs runs."
report ""
report "| command | wall s | CPU s | MB/s | MB per CPU-s | peak RSS MB | other |"
report "|---|---|---|---|---|---|---|"

declare -A wall_of
for threads in 1 2; do
    measure "process-$threads" "$bin" process "$corpus" --out "$out/paragraphs-$threads.jsonl" --threads "$threads" --stats "$out/process-$threads.json"
    wall_of[$threads]=$WALL
    report "| \`briefing process $corpus --out FILE --threads $threads\` | $WALL | $CPU | $(awk -v m="$mb" -v w="$WALL" 'BEGIN {printf "%.1f", m / w}') | $(awk -v m="$mb" -v c="$CPU" 'BEGIN {printf "%.1f", m / c}') | $RSS_MB | $(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("%d paragraphs, %d tokens" % (s["paragraphs"], s["tokens"]))' "$out/process-$threads.json") |"
done
cmp -s "$out/paragraphs-1.jsonl" "$out/paragraphs-2.jsonl" && same=identical || same=DIFFERENT
report "| speed-up 1 → 2 threads | $(awk -v a="${wall_of[1]}" -v b="${wall_of[2]}" 'BEGIN {printf "%.2fx", a / b}') | | | | | outputs $same |"

for threads in 1 2; do
    measure "index-$threads" "$bin" index "$corpus" --out "$out/index-$threads" --threads "$threads" --stats "$out/index-$threads.json"
    report "| \`briefing index $corpus --out DIR --threads $threads\` | $WALL | $CPU | $(awk -v m="$mb" -v w="$WALL" 'BEGIN {printf "%.1f", m / w}') | $(awk -v m="$mb" -v c="$CPU" 'BEGIN {printf "%.1f", m / c}') | $RSS_MB | $(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); i=s["index"]; print("%d paragraphs, %d terms, %d postings, index.bin %.1f MB, finish %.2f s" % (s["paragraphs"], i["terms"], i["postings"], i["index_bytes"] / 1e6, i["finish_seconds"]))' "$out/index-$threads.json") |"
done
cmp -s "$out/index-1/index.bin" "$out/index-2/index.bin" && same=identical || same=DIFFERENT
report "| index.bin 1 vs 2 threads | | | | | | $same |"

queries=data/bench-queries.txt
python3 - "$out/paragraphs-1.jsonl" "$queries" <<'PY'
import json, random, re, sys
random.seed(20190422)
words = []
with open(sys.argv[1], encoding="utf-8") as f:
    for n, line in enumerate(f):
        if n % 97 == 0:
            toks = re.findall(r"[A-Za-z][A-Za-z'-]+", json.loads(line)["text"])
            if len(toks) >= 4:
                words.append(toks)
qs = []
while len(qs) < 1000:
    toks = random.choice(words)
    k = random.randint(2, min(5, len(toks)))
    start = random.randint(0, len(toks) - k)
    qs.append(" ".join(toks[start:start + k]).lower())
open(sys.argv[2], "w").write("\n".join(qs) + "\n")
PY
for threads in 1 2; do
    measure "search-$threads" "$bin" search "$out/index-1" --queries "$queries" --top 10 --json --threads "$threads"
    qps=$(grep -o '[0-9]* queries/s' "$out/search-$threads.err" | cut -d' ' -f1)
    load=$(grep -o 'loaded in [0-9.]* s' "$out/search-$threads.err" | cut -d' ' -f3)
    report "| \`briefing search DIR --queries 1000 --top 10 --json --threads $threads\` | $WALL | $CPU | | | $RSS_MB | $qps queries/s (last run), index load $load s |"
done

if ((anchors)); then
    venv=data/bench-venv
    if [[ ! -x $venv/bin/python ]]; then
        python3 -m venv "$venv"
        "$venv/bin/pip" install -q bm25s rank_bm25 tokenizers
    fi
    py=$venv/bin/python
    report ""
    report "Anchors (same machine, same run):"
    report ""
    report "| anchor | wall s | CPU s | peak RSS MB | result |"
    report "|---|---|---|---|---|"
    saved=$runs
    runs=1
    measure anchors-tokenize "$py" bench/bm25_anchors.py tokenize "$corpus"
    report "| HF tokenizers / Python tokenizing | $WALL | $CPU | $RSS_MB | $(paste -sd';' "$out/anchors-tokenize.stdout") |"
    for threads in 1 2; do
        measure "anchors-bm25s-$threads" "$py" bench/bm25_anchors.py bm25s "$out/paragraphs-1.jsonl" "$queries" "$threads"
        report "| bm25s ($threads thread(s) for queries) | $WALL | $CPU | $RSS_MB | $(paste -sd';' "$out/anchors-bm25s-$threads.stdout") |"
    done
    measure anchors-rank-bm25 "$py" bench/bm25_anchors.py rank-bm25 "$out/paragraphs-1.jsonl" "$queries" 10
    report "| rank_bm25 (10 MB slice) | $WALL | $CPU | $RSS_MB | $(paste -sd';' "$out/anchors-rank-bm25.stdout") |"
    runs=$saved
fi
echo "written to $run_file" >&2
