#!/usr/bin/env python3
"""Agreement between two annotators on the (post, brand) pairs both labeled: Cohen's kappa
on the stance, the confusion between them, and the pairs they disagree on.

    python3 scripts/labeling/agreement.py FIRST.jsonl SECOND.jsonl [--disagreements OUT.jsonl]
    python3 scripts/labeling/agreement.py data/train/real/labels.jsonl

With one file, the merged labels: each pair labeled twice carries both readings ("first"
and "second"). Pairs either annotator skipped are left out; brands are compared
case-insensitively.
"""
import argparse
import collections
import json

STANCES = ["complaint", "praise", "resolution", "question", "neutral"]


def read(path):
    labels = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            r = json.loads(line)
            labels[(r["id"], r["brand"].casefold())] = r
    return labels


def kappa(pairs):
    n = len(pairs)
    if n == 0:
        return float("nan")
    observed = sum(a == b for a, b in pairs) / n
    first = collections.Counter(a for a, _ in pairs)
    second = collections.Counter(b for _, b in pairs)
    expected = sum(first[s] * second[s] for s in STANCES) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first")
    parser.add_argument("second", nargs="?")
    parser.add_argument("--disagreements")
    args = parser.parse_args()
    if args.second:
        a, b = read(args.first), read(args.second)
    else:
        merged = {k: r for k, r in read(args.first).items() if "second" in r}
        a = {k: dict(r, stance=r["first"]) for k, r in merged.items()}
        b = {k: dict(r, stance=r["second"]) for k, r in merged.items()}
    both = sorted(k for k in a.keys() & b.keys()
                  if a[k]["stance"] != "skip" and b[k]["stance"] != "skip")
    pairs = [(a[k]["stance"], b[k]["stance"]) for k in both]
    agree = sum(x == y for x, y in pairs)
    print(f"pairs labeled by both: {len(pairs)} (first only: {len(a.keys() - b.keys())}, "
          f"second only: {len(b.keys() - a.keys())})")
    print(f"raw agreement: {agree / len(pairs):.3f}   Cohen's kappa: {kappa(pairs):.3f}")
    three = {"complaint": "neg", "praise": "pos", "resolution": "pos", "question": "neu",
             "neutral": "neu"}
    pairs3 = [(three[x], three[y]) for x, y in pairs]
    print(f"3-way (complaint / praise+resolution / question+neutral) agreement: "
          f"{sum(x == y for x, y in pairs3) / len(pairs3):.3f}")
    print("\nfirst \\ second " + " ".join(f"{s[:10]:>10}" for s in STANCES))
    matrix = collections.Counter(pairs)
    for s in STANCES:
        print(f"{s:>14} " + " ".join(f"{matrix[(s, t)]:>10}" for t in STANCES))
    by_source = collections.defaultdict(list)
    for k in both:
        by_source[a[k]["source"]].append((a[k]["stance"], b[k]["stance"]))
    for source, p in sorted(by_source.items()):
        print(f"{source}: {len(p)} pairs, kappa {kappa(p):.3f}")
    if args.disagreements:
        with open(args.disagreements, "w", encoding="utf-8") as out:
            for k in both:
                if a[k]["stance"] != b[k]["stance"]:
                    out.write(json.dumps({"id": k[0], "brand": a[k]["brand"],
                                          "first": a[k]["stance"], "second": b[k]["stance"],
                                          "first_note": a[k].get("note", ""),
                                          "second_note": b[k].get("note", "")},
                                         ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
