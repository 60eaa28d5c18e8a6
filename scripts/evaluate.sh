#!/usr/bin/env bash
# Regenerates docs/EVALUATION.md: measures the cues, the shipped model (data/model/, trained
# by scripts/train-default-model.sh on data that may ship) and the airline-domain
# demonstration model (trained here on four airlines) on the test sets of ../shared/data,
# which none of them was trained or tuned on. Needs ../shared (or ECOUTE_SHARED) and python3.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${ECOUTE_SHARED:-../shared}/data
out=build/evaluation
mkdir -p "$out"
cmake --build build -j2 --target ecoute >/dev/null
ecoute=build/ecoute
shipped=data/model/stance.model
quiet() { "$@" 2>>"$out/log.txt"; }
: >"$out/log.txt"

sentiment=(--data "$shared/airline-tweets-us/Tweets.csv" --text-col text
           --label-col airline_sentiment --map negative=complaint,neutral=neutral,positive=praise)
reasons=(--data "$shared/airline-tweets-us/Tweets.csv" --text-col text --label-col negativereason
         --map "Late Flight=delay,longlines=delay,Lost Luggage=delivery,Damaged Luggage=delivery,Customer Service Issue=support,Cancelled Flight=cancellation,Flight Attendant Complaints=staff_attitude")
test_airlines="airline=Delta,Virgin America"

echo "== shipped models: checking they are the recipe's output"
quiet env ECOUTE="$ecoute" bash scripts/train-default-model.sh "$out/shipped" >/dev/null
for m in stance topics; do
  cmp -s <(sed -n '/^rows /,$p' "$out/shipped/$m.model") \
    <(sed -n '/^rows /,$p' "data/model/$m.model") ||
    { echo "data/model/$m.model is stale: run scripts/train-default-model.sh" >&2; exit 1; }
done

echo "== airline-domain models: trained on United, US Airways, American, Southwest"
quiet $ecoute train "${sentiment[@]}" --exclude "$test_airlines" --balance --out "$out/airline.model"
quiet $ecoute train "${reasons[@]}" --exclude "$test_airlines" --balance \
  --out "$out/airline-topics.model"

echo "== airline test set: Delta + Virgin America"
quiet $ecoute eval "${sentiment[@]}" --filter "$test_airlines" --model "$shipped" --output json \
  >"$out/airline-shipped.json"
quiet $ecoute eval "${sentiment[@]}" --filter "$test_airlines" --model "$out/airline.model" \
  --output json >"$out/airline-domain.json"
quiet $ecoute eval --task topic "${reasons[@]}" --filter "$test_airlines" \
  --model data/model/topics.model --output json >"$out/shipped-topics.json"
quiet $ecoute eval --task topic "${reasons[@]}" --filter "$test_airlines" \
  --model "$out/airline-topics.model" --output json >"$out/airline-topics.json"

echo "== French tweets test set"
quiet $ecoute eval --data "$shared/fr-tweets-umsab/test_text.txt" \
  --labels "$shared/fr-tweets-umsab/test_labels.txt" --format lines \
  --map 0=complaint,1=neutral,2=praise --model "$shipped" --output json >"$out/fr.json"

echo "== UCI review sentences: the shipped recipe, 5-fold cross-validation"
# The shipped model is trained on these sentences: each fold is scored by a model trained
# by the same recipe without it.
for k in 1 2 3 4 5; do
  quiet env ECOUTE="$ecoute" bash scripts/train-default-model.sh "$out/uci-fold$k" \
    --hold-out-fold "$k/5" >/dev/null
  quiet $ecoute eval --data data/train/uci-sentences.jsonl --label-col stance --fold "$k/5" \
    --model "$out/uci-fold$k/stance.model" --output json >"$out/uci-fold$k.json"
done

echo "== real customers' posts (scripts/evaluate-real.sh)"
ECOUTE="$ecoute" bash scripts/evaluate-real.sh >/dev/null

python3 - "$out" >docs/EVALUATION.md <<'PY'
import json, os, sys
out = sys.argv[1]

def systems(name):
    return {s["system"]: s for s in json.load(open(os.path.join(out, name)))["systems"]}

def row(data, system, s):
    print(f"| {data} | {system} | {s['count']} | {s['accuracy']:.3f} | {s['macro_f1']:.3f} |")

def pooled(names, system):
    # Folds pooled: one confusion matrix over every held-out example.
    total = {"count": 0, "correct": 0}
    matrix = None
    for name in names:
        s = systems(name)[system]
        m = s["confusion"]
        labels = s["labels"]
        if matrix is None:
            matrix = [[0] * len(labels) for _ in labels]
        for i in range(len(labels)):
            for j in range(len(labels)):
                matrix[i][j] += m[i][j]
    n = len(matrix)
    count = sum(map(sum, matrix))
    correct = sum(matrix[i][i] for i in range(n))
    f1s = []
    for i in range(n):
        support = sum(matrix[i])
        if support == 0:
            continue
        predicted = sum(matrix[r][i] for r in range(n))
        p = matrix[i][i] / predicted if predicted else 0.0
        r = matrix[i][i] / support
        f1s.append(2 * p * r / (p + r) if p + r else 0.0)
    return {"count": count, "accuracy": correct / count, "macro_f1": sum(f1s) / len(f1s)}

airline = "Airline tweets, Delta + Virgin America, 3 classes"
topics = "Airline complaint reasons → topics, Delta + Virgin America"
fr = "French tweets, test file, 3 classes"
uci = "UCI review sentences, 2 classes (5-fold)"

def real(name):
    return json.load(open(os.path.join(out, name)))["scores"]

def label(scores, name):
    return next(c for c in scores["overall"]["classes"] if c["label"] == name)

print("# Evaluation\n")
print("Generated by `bash scripts/evaluate.sh` (a few minutes) from the public data sets in")
print("../shared/data; their sources and licenses are in each folder's LICENSE-NOTE.md and in")
print("data/train/real/README.md. Every score below is on data no system here was trained or")
print("tuned on.\n")
print("## Real customers' posts, per (post, brand)\n")
print("8,504 public posts: 6,357 French ones to Free, SNCF (the RER C line) and Showroomprivé,")
print("2,147 English ones to 76 brands' support accounts, labeled per (post, brand) with the")
print("five stances (docs/ANNOTATION.md; Cohen's κ 0.923 between two annotators on 841 pairs).")
print("The development split is the Free tweets: the shipped model learns from them and the")
print("cues were written while reading them, so only the cues alone are scored there. The")
print("**test split is the RER C tweets, the Showroomprivé reviews and the English support")
print("tweets**: sources, accounts and sites that nothing here saw. A pair's verdict is the")
print("analysis' for that brand; where the text does not name the brand the post was sent to")
print("(a review on its page), the post's own stance; otherwise the pair is missed. Labels of")
print("brands outside the catalog (data/eval/brands-real.toml) are left out.")
print("`bash scripts/evaluate-real.sh`;")
print("every table of `ecoute eval --pairs` (per label, source, language and hard case, the")
print("confusion matrices, the 20 most confident errors) is in build/evaluation/real-*.txt.\n")
print("| split | system | pairs | accuracy | macro-F1 | complaint P / R | resolution R | question R |")
print("|---|---|---|---|---|---|---|---|")
for split, system, name in [("test", "shipped model + cues", "real-test.json"),
                            ("test", "cues", "real-test-cues.json"),
                            ("dev", "cues", "real-dev-cues.json")]:
    r = real(name)
    o = r["overall"]
    c, res, q = label(r, "complaint"), label(r, "resolution"), label(r, "question")
    print(f"| {split} | {system} | {o['count']} | {o['accuracy']:.3f} | {o['macro_f1']:.3f} | "
          f"{c['precision']:.3f} / {c['recall']:.3f} | {res['recall']:.3f} ({res['support']}) | "
          f"{q['recall']:.3f} |")
t = real("real-test.json")
print("\nTest split, shipped model + cues, by source and language:\n")
print("| | pairs | accuracy | macro-F1 |")
print("|---|---|---|---|")
for group in t["by_source"] + [g for g in t["by_lang"] if g["count"] >= 20]:
    print(f"| {group['name']} | {group['count']} | {group['accuracy']:.3f} | {group['macro_f1']:.3f} |")
print("\nBy the hard case the annotators noted (test split): " + ", ".join(
    f"{n['note']} {n['accuracy']:.2f} ({n['count']})" for n in t["by_note"]) + ".\n")
b, ob = t["brands"], t["other_brands"]
print(f"Brands on the test split: precision {b['precision']:.3f}, recall {b['recall']:.3f} over")
print(f"every labeled (post, brand); the brands other than the post's addressee (the bystanders,")
print(f"the compared operators), precision {ob['precision']:.3f}, recall {ob['recall']:.3f}. The")
print("reviews seldom name the shop they are written on: recall counts them as missed.\n")
print("## Regression figures: public sets\n")
print("| data set | system | examples | accuracy | macro-F1 |")
print("|---|---|---|---|---|")
shipped = systems("airline-shipped.json")
domain = systems("airline-domain.json")
row(airline, "cues", shipped["cues"])
row(airline, "shipped model", shipped["model"])
row(airline, "shipped model + cues", shipped["combined"])
row(airline, "airline model", domain["model"])
row(airline, "airline model + cues", domain["combined"])
t = systems("shipped-topics.json")
row(topics, "cues", t["cues"])
row(topics, "shipped topic model", t["model"])
row(topics, "shipped topic model + cues", t["combined"])
t = systems("airline-topics.json")
row(topics, "airline topic model", t["model"])
row(topics, "airline topic model + cues", t["combined"])
f = systems("fr.json")
row(fr, "cues", f["cues"])
row(fr, "shipped model", f["model"])
row(fr, "shipped model + cues", f["combined"])
folds = [f"uci-fold{k}.json" for k in range(1, 6)]
row(uci, "cues", pooled(folds, "cues"))
row(uci, "shipped recipe", pooled(folds, "model"))
row(uci, "shipped recipe + cues", pooled(folds, "combined"))
print("\nPer-class scores and confusion matrices: `build/evaluation/*.json` after a run.")
PY
cat docs/evaluation-notes.md >>docs/EVALUATION.md
echo "== docs/EVALUATION.md written"
