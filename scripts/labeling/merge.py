#!/usr/bin/env python3
"""Merges the annotators' labels into data/train/real/labels.jsonl: the first annotator's
label for every (post, brand), replaced by the adjudicated one where the second annotator
disagreed and a third reading settled it. Texts are not written (see pool.py).

    python3 scripts/labeling/merge.py --first 'DIR/labels-*.jsonl' --second 'DIR/second-*.jsonl' \
        --adjudicated DIR/adjudicated.jsonl > data/train/real/labels.jsonl
"""
import argparse
import glob
import json
import sys

FIELDS = ["id", "source", "brand", "stance", "topics", "annotator", "note"]


def read_pairs(pattern):
    """The records of the JSON-lines files matching `pattern`, by (id, brand), the brand in
    any case; a later record of a pair replaces an earlier one."""
    pairs = {}
    for path in sorted(glob.glob(pattern)):
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    pairs[(r["id"], r["brand"].casefold())] = r
    return pairs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--first", required=True, help="glob of the first annotators' files")
    parser.add_argument("--second", required=True, help="glob of the blind second readings")
    parser.add_argument("--adjudicated", required=True)
    args = parser.parse_args()
    labels = read_pairs(args.first)
    second = read_pairs(args.second)
    settled = 0
    for key, r in read_pairs(args.adjudicated).items():
        if key not in labels:
            continue
        labels[key]["first"] = labels[key]["stance"]  # kept for the agreement
        labels[key]["stance"] = r["stance"]
        labels[key]["annotator"] += "+adjudicated"
        if r["stance"] not in ("complaint", "resolution"):
            labels[key]["topics"] = []
        elif not labels[key].get("topics"):
            labels[key]["topics"] = second.get(key, {}).get("topics") or ["other"]
        settled += 1
    for key in sorted(labels):
        r = labels[key]
        if key in second:
            r["second"] = second[key]["stance"]  # the blind second reading, for agreement
        out = {k: r.get(k, "" if k == "note" else []) for k in FIELDS}
        if "second" in r:
            out["second"] = r["second"]
            out["first"] = r.get("first", r["stance"])
        sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    sys.stderr.write(f"{len(labels)} labels, {settled} settled by a third reading\n")


if __name__ == "__main__":
    main()
