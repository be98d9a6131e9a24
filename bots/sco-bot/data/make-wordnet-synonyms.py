#!/usr/bin/env python3
"""Derives query-expansion rules for a transcript from WordNet 3.0.

For every content word of the transcript, the other words of the synsets of
its most frequent senses become one-directional rules `synonym => word`: a
question using the synonym also matches the transcript's word (never the
other way round). Synonyms that are themselves transcript words are left
out, so two different transcript words are never merged.

Usage (WordNet from Debian's `wordnet-base`, see DATA-SOURCES):
    apt-get download wordnet-base && dpkg-deb -x wordnet-base_*.deb wn
    make-wordnet-synonyms.py wn/usr/share/wordnet TRANSCRIPT.txt > wordnet-synonyms.txt
"""
import os
import re
import sys

SENSES = {"noun": 3, "verb": 3, "adj": 2, "adv": 1}
POS_OF = {"n": "noun", "v": "verb", "a": "adj", "s": "adj", "r": "adv"}
STOP = set("""i me my myself we our ours ourselves you your yours yourself yourselves he him his himself she
her hers herself it its itself they them their theirs themselves what which who whom this that these those
am is are was were be been being have has had having do does did doing would should could ought a an the and
but if or because as until while of at by for with about against between into through during before after
above below to from up down in out on off over under again further then once here there when where why how
all any both each few more most other some such no nor not only own same so than too very can will just
also well may might must shall one""".split())


def read_exceptions(wn, pos):
    exc = {}
    path = os.path.join(wn, pos + ".exc")
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if len(parts) >= 2:
                exc.setdefault(parts[0], []).extend(parts[1:])
    return exc


def read_index(wn, pos):
    index = {}
    with open(os.path.join(wn, "index." + pos), encoding="utf-8") as f:
        for line in f:
            if line.startswith(" "):
                continue
            parts = line.split()
            lemma, n_synsets, n_ptrs = parts[0], int(parts[2]), int(parts[3])
            offsets = parts[4 + n_ptrs + 2:]
            index[lemma] = offsets[:n_synsets]
    return index


def read_synset(handle, offset):
    """The words of a synset and its pointers (symbol, offset, pos, source/target)."""
    handle.seek(int(offset))
    parts = handle.readline().split()
    n_words = int(parts[3], 16)
    words = [parts[4 + 2 * i] for i in range(n_words)]
    at = 4 + 2 * n_words
    n_ptrs = int(parts[at])
    ptrs = [tuple(parts[at + 1 + 4 * i: at + 5 + 4 * i]) for i in range(n_ptrs)]
    return words, ptrs


def related(wn, handles, pos, offset, lemma):
    """Synonyms of `lemma` in a synset, its derivationally related forms, and
    for adjectives the words of similar synsets."""
    words, ptrs = read_synset(handles[pos], offset)
    out = list(words)
    position = next((i + 1 for i, w in enumerate(words) if w.lower() == lemma), 0)
    for symbol, target, target_pos, source_target in ptrs:
        target_pos = POS_OF.get(target_pos)
        if target_pos is None:
            continue
        source, target_word = int(source_target[:2], 16), int(source_target[2:], 16)
        if symbol == "+" and source == position and target_word > 0:
            target_words, _ = read_synset(handles[target_pos], target)
            if target_word <= len(target_words):
                out.append(target_words[target_word - 1])
        elif symbol == "&" and pos == "adj":
            out.extend(read_synset(handles[target_pos], target)[0])
    return out


SUFFIXES = {
    "noun": [("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"), ("ies", "y")],
    "verb": [("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")],
    "adj": [("er", ""), ("est", ""), ("er", "e"), ("est", "e")],
    "adv": [],
}


def lemmas(word, pos, index, exc):
    """WordNet's morphy, simplified: exceptions, then suffix rules."""
    found = []
    if word in index:
        found.append(word)
    for base in exc.get(word, []):
        if base in index:
            found.append(base)
    for suffix, ending in SUFFIXES[pos]:
        if word.endswith(suffix):
            base = word[: len(word) - len(suffix)] + ending
            if base in index:
                found.append(base)
    return list(dict.fromkeys(found))


def main():
    wn, transcript = sys.argv[1], sys.argv[2]
    text = open(transcript, encoding="utf-8").read().replace("\u2019", "'")
    words = sorted({w.lower() for w in re.findall(r"[A-Za-z][A-Za-z\-]*[A-Za-z]", text)})
    vocab = set(words)
    content = [w for w in words if w not in STOP and len(w) >= 3]
    rules = {}
    handles = {pos: open(os.path.join(wn, "data." + pos), encoding="utf-8") for pos in SENSES}
    for pos, n_senses in SENSES.items():
        index = read_index(wn, pos)
        exc = read_exceptions(wn, pos)
        for word in content:
            for lemma in lemmas(word, pos, index, exc):
                for offset in index[lemma][:n_senses]:
                    for synonym in related(wn, handles, pos, offset, lemma):
                        synonym = re.sub(r"\(.*\)$", "", synonym)
                        if synonym != synonym.lower():
                            continue  # proper names
                        synonym = synonym.replace("_", " ")
                        if (synonym in (word, lemma) or synonym in vocab or synonym in STOP
                                or len(synonym) < 3 or len(synonym.split()) > 3
                                or not re.fullmatch(r"[a-z][a-z \-]*", synonym)):
                            continue
                        rules.setdefault(synonym, set()).add(word)
    print("# Query expansion derived from WordNet 3.0 for the words of the transcript by")
    print("# bots/sco-bot/data/make-wordnet-synonyms.py (a question word on the left also matches the")
    print("# transcript words on the right). Regenerate, do not edit.")
    print("#")
    print("# WordNet 3.0 Copyright 2006 by Princeton University. All rights reserved.")
    print("# THIS SOFTWARE AND DATABASE IS PROVIDED \"AS IS\" AND PRINCETON UNIVERSITY MAKES NO")
    print("# REPRESENTATIONS OR WARRANTIES, EXPRESS OR IMPLIED. Permission to use, copy, modify and")
    print("# distribute this software and database and its documentation for any purpose and without fee")
    print("# or royalty is hereby granted, provided that you agree to comply with the following copyright")
    print("# notice and statements, including the disclaimer, and that the same appear on ALL copies of")
    print("# the software, database and documentation, including modifications that you make for")
    print("# internal use or for distribution. The name of Princeton University or Princeton may not be")
    print("# used in advertising or publicity pertaining to distribution of the software and/or database.")
    for synonym in sorted(rules):
        print(synonym + " => " + " | ".join(sorted(rules[synonym])))


if __name__ == "__main__":
    main()
