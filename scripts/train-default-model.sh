#!/usr/bin/env bash
# Trains the models that ship with ecoute (data/model/) from the labeled examples in
# data/train/ — the team's own posts, the UCI review sentences (CC BY 4.0) and the real
# customers' posts of the development split (the Free tweets of data/train/real/, whose
# texts are rebuilt from their public source in ../shared/data, or $ECOUTE_SHARED/data:
# they cannot ship), nothing else: see data/train/README.md. The test split's sources are
# never trained on.
#   stance.model  complaint / neutral / praise, from every file;
#   topics.model  a complaint's main topic, from the team's posts (the first of "topics").
# Deterministic: the same data gives the same labels and weights, byte for byte (a test
# checks that the committed models' are this script's); only the date in a model's header
# changes (SOURCE_DATE_EPOCH fixes it).
#
#   bash scripts/train-default-model.sh [DIR] [OPTION...]     (default DIR: data/model)
#
# ECOUTE names the executable (default build/ecoute, built if missing). OPTIONs go to both
# `ecoute train` runs (e.g. --hold-out-fold 1/5, as scripts/evaluate.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
dir=${1:-data/model}
shift || true
mkdir -p "$dir"
ecoute=${ECOUTE:-build/ecoute}
if [[ -z ${ECOUTE:-} ]]; then
  cmake --build build -j2 --target ecoute >/dev/null
fi
shared=${ECOUTE_SHARED:-../shared}/data
if [[ ! -f $shared/fr-free-tweets/free_tweet_export.csv ]]; then
  echo "train-default-model.sh: $shared/fr-free-tweets/free_tweet_export.csv is missing:" \
    "the stance model learns from real posts whose texts cannot ship; copy the sources" \
    "listed in data/train/real/README.md there (or set ECOUTE_SHARED)" >&2
  exit 66
fi
# Inside the checkout's build/ (ignored by git), so that the model records a path that is
# the same on every machine.
work=build/train
mkdir -p "$work"
python3 scripts/labeling/pool.py --shared "$shared" >"$work/pool.jsonl"
python3 scripts/labeling/texts.py --labels data/train/real/labels.jsonl --pool "$work/pool.jsonl" \
  --sources fr-free-tweets --addressee-only >"$work/real-dev.jsonl"
"$ecoute" train \
  --data data/train/own-en.jsonl --data data/train/own-fr.jsonl \
  --data data/train/uci-sentences.jsonl --data "$work/real-dev.jsonl" \
  --label-col stance --map complaint=complaint,neutral=neutral,question=neutral,praise=praise,resolution=praise \
  --balance --dev-share 0.1 --out "$dir/stance.model" "$@"
topics=billing,delay,support,product_defect,cancellation,contract,staff_attitude,delivery,outage
"$ecoute" train \
  --data data/train/own-en.jsonl --data data/train/own-fr.jsonl \
  --label-col topics --map "$(sed -E 's/([a-z_]+)/\1=\1/g' <<<"$topics")" \
  --balance --dev-share 0.1 --out "$dir/topics.model" "$@"
