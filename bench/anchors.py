#!/usr/bin/env python3
"""Runs the anchor classifiers on the splits written by scripts/fetch-classification-data.py.

fastText (`fasttext-wheel`; epoch 25, lr 0.5, word bigrams, 2 threads), TF-IDF + LinearSVC and
TF-IDF + MultinomialNB (scikit-learn defaults). Needs `pip install fasttext-wheel scikit-learn`;
bench/classifiers.sh --anchors installs them into a throwaway virtualenv under data/.

Usage: bench/anchors.py [DATA_DIR]   (default: data/classification)
Prints one row per data set and model: accuracy, macro-F1, train seconds, predict docs/s.
"""

import json
import pathlib
import sys
import tempfile
import time

SETS = ["trec-coarse", "trec-fine", "sms-spam", "rt-snippets"]


def read(path):
    with open(path, encoding="utf-8") as f:
        rows = [json.loads(line) for line in f if line.strip()]
    return [r["text"] for r in rows], [r["label"] for r in rows]


def scores(gold, pred):
    from sklearn.metrics import accuracy_score, f1_score

    return accuracy_score(gold, pred), f1_score(gold, pred, average="macro", zero_division=0)


def fasttext_row(train, test):
    import fasttext

    (xs, ys), (tx, ty) = train, test
    with tempfile.NamedTemporaryFile("w", suffix=".txt", delete=False) as f:
        for x, y in zip(xs, ys):
            f.write(f"__label__{y} {' '.join(x.split())}\n")
    t0 = time.perf_counter()
    model = fasttext.train_supervised(f.name, epoch=25, lr=0.5, wordNgrams=2, thread=2, verbose=0)
    train_s = time.perf_counter() - t0
    lines = [" ".join(x.split()) for x in tx]
    t0 = time.perf_counter()
    labels, _ = model.predict(lines)
    dps = len(lines) / (time.perf_counter() - t0)
    pred = [lab[0].removeprefix("__label__") for lab in labels]
    return (*scores(ty, pred), train_s, dps)


def sklearn_row(train, test, make):
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.pipeline import make_pipeline

    (xs, ys), (tx, ty) = train, test
    model = make_pipeline(TfidfVectorizer(), make())
    t0 = time.perf_counter()
    model.fit(xs, ys)
    train_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    pred = model.predict(tx)
    dps = len(tx) / (time.perf_counter() - t0)
    return (*scores(ty, pred), train_s, dps)


def main():
    from sklearn.naive_bayes import MultinomialNB
    from sklearn.svm import LinearSVC

    data = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "data/classification")
    print(f"{'data set':<12} {'model':<22} {'acc':>6} {'macroF1':>8} {'train s':>8} {'docs/s':>9}")
    for name in SETS:
        train, test = read(data / name / "train.jsonl"), read(data / name / "test.jsonl")
        rows = {
            "fastText": fasttext_row(train, test),
            "TF-IDF + LinearSVC": sklearn_row(train, test, LinearSVC),
            "TF-IDF + MultinomialNB": sklearn_row(train, test, MultinomialNB),
        }
        for model, (acc, f1, train_s, dps) in rows.items():
            print(f"{name:<12} {model:<22} {acc:6.3f} {f1:8.3f} {train_s:8.2f} {dps:9.0f}")


if __name__ == "__main__":
    main()
