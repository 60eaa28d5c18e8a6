#!/usr/bin/env bash
# Measures the per-brand verdict on real public French posts labeled per (post, brand)
# (docs/ANNOTATION.md): `ecoute eval --pairs` on the development split (the Free tweets) and
# on the test split (sources held out: the RER C tweets and the Showroomprivé reviews, which
# no rule or weight may be tuned on), with the shipped model + cues and with the cues alone.
#
#   bash scripts/evaluate-real.sh [LABELS.jsonl...]   (default: data/train/real/labels.jsonl)
#
# The posts' texts cannot ship: they are rebuilt from ../shared/data (or
# $ECOUTE_SHARED/data) by scripts/labeling/pool.py into build/labeling/pool.jsonl, and joined
# to the labels by id. Writes build/evaluation/real-{dev,test}[-cues].{json,txt} and prints
# the headline numbers. ECOUTE names the executable (default build/ecoute, built if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${ECOUTE_SHARED:-../shared}/data
out=build/evaluation
pool=build/labeling/pool.jsonl
catalog=data/eval/brands-real.toml
labels=("$@")
if [[ ${#labels[@]} -eq 0 ]]; then
  labels=(data/train/real/labels.jsonl)
fi
pairs=()
for file in "${labels[@]}"; do
  [[ -f $file ]] || { echo "evaluate-real.sh: no labels file $file (give its path)" >&2; exit 66; }
  pairs+=(--pairs "$file")
done
mkdir -p "$out" "$(dirname "$pool")"
ecoute=${ECOUTE:-build/ecoute}
if [[ -z ${ECOUTE:-} ]]; then
  cmake --build build -j2 --target ecoute >/dev/null
fi
: >"$out/real-log.txt"

echo "== pool: rebuilding the posts' texts from $shared"
python3 scripts/labeling/pool.py --shared "$shared" >"$pool"

for split in dev test; do
  for system in model cues; do
    name=real-$split
    options=()
    if [[ $system == cues ]]; then
      name=$name-cues
      options=(--cues-only)
    fi
    echo "== $split split, $([[ $system == cues ]] && echo "cues alone" || echo "shipped model + cues")"
    for format in json text; do
      suffix=$([[ $format == json ]] && echo json || echo txt)
      "$ecoute" eval "${pairs[@]}" --posts "$pool" --brands "$catalog" --split "$split" \
        "${options[@]}" --output "$format" >"$out/$name.$suffix" 2>>"$out/real-log.txt"
    done
  done
done

python3 - "$out" <<'PY'
import json, os, sys
out = sys.argv[1]
print()
print(f"{'split':<6} {'system':<22} {'pairs':>6} {'acc':>6} {'macroF1':>8} {'3-way':>6} "
      f"{'missed':>7} {'brandP':>7} {'brandR':>7} {'otherR':>7}")
for split in ("dev", "test"):
    for suffix, system in (("", "shipped model + cues"), ("-cues", "cues")):
        report = json.load(open(os.path.join(out, f"real-{split}{suffix}.json")))
        s = report["scores"]
        o = s["overall"]
        print(f"{split:<6} {system:<22} {o['count']:>6} {o['accuracy']:>6.3f} "
              f"{o['macro_f1']:>8.3f} {o['three_way']['accuracy']:>6.3f} {o['missed']:>7} "
              f"{s['brands']['precision']:>7.3f} {s['brands']['recall']:>7.3f} "
              f"{s['other_brands']['recall']:>7.3f}")
print()
for split in ("dev", "test"):
    s = json.load(open(os.path.join(out, f"real-{split}.json")))["scores"]
    per_source = ", ".join(f"{g['name']} {g['accuracy']:.3f} ({g['count']})"
                           for g in s["by_source"])
    notes = ", ".join(f"{n['note']} {n['accuracy']:.2f} ({n['count']})" for n in s["by_note"])
    print(f"{split}, shipped model + cues, accuracy by source: {per_source}")
    print(f"{split}, accuracy by note: {notes}")
print(f"\nReports: {out}/real-*.txt and real-*.json; problems: {out}/real-log.txt")
PY
