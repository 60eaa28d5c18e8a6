#!/usr/bin/env python3
"""Joins labels (data/train/real/labels.jsonl) with the pool's texts: one JSON line per
labeled (post, brand) with its text, for `ecoute train` and `ecoute eval`. The output stays
outside the repository, as the texts' licenses require.

    python3 scripts/labeling/texts.py --labels data/train/real/labels.jsonl \
        --pool build/labeling/pool.jsonl [--sources a,b] [--addressee-only] > OUT.jsonl
"""
import argparse
import json
import sys


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--labels", required=True)
    parser.add_argument("--pool", required=True)
    parser.add_argument("--sources", default="", help="keep only these sources (comma-separated)")
    parser.add_argument("--addressee-only", action="store_true",
                        help="only the pair of the brand the post was sent to")
    args = parser.parse_args()
    keep = set(filter(None, args.sources.split(",")))
    pool = {}
    with open(args.pool, encoding="utf-8") as f:
        for line in f:
            p = json.loads(line)
            pool[p["id"]] = p
    with open(args.labels, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            post = pool.get(r["id"])
            if post is None or r["stance"] == "skip" or (keep and r["source"] not in keep):
                continue
            if args.addressee_only and r["brand"].casefold() != post["addressee"].casefold():
                continue
            out = dict(r)
            out["text"] = post["text"]
            out["addressee"] = post["addressee"]
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
