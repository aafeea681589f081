#!/usr/bin/env python3
"""Writes cache pages from one answer of the `search` tool (corpus `pages`).

Usage: python3 tests/pages/recollect.py Q<n> ANSWER.json

ANSWER.json is the tool's answer to query Q<n> of queries.txt, saved as it came (JSON with a
`results` list of `rank`, `url`, `excerpt`). For every page of queries.txt collected from Q<n>,
the result at its rank is checked against the recorded address and its excerpt is written,
unchanged, to cache/<id>.txt with one trailing newline. A page whose rank now shows another
address is reported and not written. Standard library only.
"""

import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def pages_of(query):
    """(id, rank, address) of every page collected from `query`, from queries.txt."""
    out = []
    section = None
    with open(os.path.join(HERE, "queries.txt"), encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("["):
                section = line
                continue
            if section == "[pages]" and line and not line.startswith("#"):
                pid, q, rank, address = line.split("\t")
                if q == query:
                    out.append((pid, int(rank), address))
    return out


def main():
    query, answer_path = sys.argv[1], sys.argv[2]
    answer = json.load(open(answer_path, encoding="utf-8"))
    by_rank = {r["rank"]: r for r in answer["results"]}
    os.makedirs(os.path.join(HERE, "cache"), exist_ok=True)
    status = 0
    for pid, rank, address in pages_of(query):
        result = by_rank.get(rank)
        if result is None or result.get("url") != address:
            print(f"{pid}: rank {rank} now shows {result and result.get('url')!r}, not {address!r}")
            status = 1
            continue
        with open(os.path.join(HERE, "cache", pid + ".txt"), "w", encoding="utf-8") as f:
            f.write(result["excerpt"] + "\n")
        print(f"{pid}: {len(result['excerpt'])} characters")
    sys.exit(status)


if __name__ == "__main__":
    main()
