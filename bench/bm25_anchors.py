#!/usr/bin/env python3
"""Python anchors for scripts/bench-corpus.sh: tokenizers, bm25s and rank_bm25 on the same paragraphs.

Usage (each prints one `name: value unit` line per measurement; run under /usr/bin/time -v for peak RSS):

  bench/bm25_anchors.py tokenize   CORPUS_DIR            # HF WordPiece, pre-tokenizer only, a Python word count
  bench/bm25_anchors.py bm25s      PARAGRAPHS.jsonl QUERIES.txt THREADS
  bench/bm25_anchors.py rank-bm25  PARAGRAPHS.jsonl QUERIES.txt MEGABYTES

PARAGRAPHS.jsonl is the output of `briefing process` (its "text" fields), so the anchors index
exactly the paragraphs `briefing index` indexes. Needs `pip install bm25s rank_bm25 tokenizers`
(scripts/bench-corpus.sh --anchors installs them into a virtualenv under data/).
"""

import gzip
import json
import os
import re
import sys
import time


def corpus_texts(root):
    """Every line of every input file, decompressed, in sorted path order (what `briefing process` reads)."""
    for dirpath, dirnames, files in os.walk(root):
        dirnames.sort()
        for name in sorted(files):
            path = os.path.join(dirpath, name)
            opener = gzip.open if name.endswith(".gz") else open
            with opener(path, "rb") as f:
                yield from f.read().decode("utf-8", errors="replace").splitlines(keepends=True)


def paragraphs(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def queries(path):
    with open(path, encoding="utf-8") as f:
        return [line.rstrip("\n") for line in f]


def tokenize(root):
    from tokenizers import Tokenizer, models, normalizers, pre_tokenizers, trainers

    texts = list(corpus_texts(root))
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6

    t0 = time.perf_counter()
    n = sum(len(re.findall(r"\w+", t)) for t in texts)
    print(f"python word count: {mb / (time.perf_counter() - t0):.1f} MB/s ({n} words)")

    pre = pre_tokenizers.BertPreTokenizer()
    t0 = time.perf_counter()
    n = sum(len(pre.pre_tokenize_str(t)) for t in texts)
    print(f"tokenizers pre-tokenizer only: {mb / (time.perf_counter() - t0):.1f} MB/s ({n} pieces)")

    # WordPiece trained on a 10 MB slice (no hub download), then encoding everything.
    tok = Tokenizer(models.WordPiece(unk_token="[UNK]"))
    tok.normalizer = normalizers.BertNormalizer(lowercase=True)
    tok.pre_tokenizer = pre
    sample, size = [], 0
    for t in texts:
        sample.append(t)
        size += len(t)
        if size > 10_000_000:
            break
    tok.train_from_iterator(sample, trainers.WordPieceTrainer(vocab_size=30000, special_tokens=["[UNK]"]))
    t0 = time.perf_counter()
    n = 0
    for start in range(0, len(texts), 10000):
        n += sum(len(e.ids) for e in tok.encode_batch(texts[start:start + 10000]))
    print(f"tokenizers WordPiece encode_batch: {mb / (time.perf_counter() - t0):.1f} MB/s ({n} tokens)")


def bm25s_anchor(par_path, query_path, threads):
    import bm25s

    texts = paragraphs(par_path)
    qs = queries(query_path)
    t0 = time.perf_counter()
    tokens = bm25s.tokenize(texts, stopwords="en", show_progress=False)
    t1 = time.perf_counter()
    retriever = bm25s.BM25()
    retriever.index(tokens, show_progress=False)
    t2 = time.perf_counter()
    print(f"bm25s tokenize {len(texts)} paragraphs: {t1 - t0:.2f} s")
    print(f"bm25s index: {t2 - t1:.2f} s")
    del tokens
    q_tokens = bm25s.tokenize(qs, stopwords="en", show_progress=False)
    t0 = time.perf_counter()
    retriever.retrieve(q_tokens, k=10, n_threads=int(threads), show_progress=False)
    elapsed = time.perf_counter() - t0
    print(f"bm25s queries ({threads} thread(s)): {len(qs) / elapsed:.1f} queries/s")


def rank_bm25_anchor(par_path, query_path, megabytes):
    from rank_bm25 import BM25Okapi

    texts, size = [], 0
    for text in paragraphs(par_path):
        texts.append(text)
        size += len(text.encode("utf-8"))
        if size > float(megabytes) * 1e6:
            break
    tokenized = [re.findall(r"\w+", t.lower()) for t in texts]
    t0 = time.perf_counter()
    bm25 = BM25Okapi(tokenized)
    print(f"rank_bm25 index {len(texts)} paragraphs ({size / 1e6:.1f} MB): {time.perf_counter() - t0:.2f} s")
    qs = queries(query_path)[:100]
    t0 = time.perf_counter()
    for q in qs:
        bm25.get_top_n(re.findall(r"\w+", q.lower()), texts, n=10)
    print(f"rank_bm25 queries: {len(qs) / (time.perf_counter() - t0):.1f} queries/s")


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    {"tokenize": tokenize, "bm25s": bm25s_anchor, "rank-bm25": rank_bm25_anchor}[command](*args)
