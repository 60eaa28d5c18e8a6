#!/usr/bin/env bash
# Trains the stance model that ships with ecoute (data/model/stance.model) from the labeled
# examples in data/train/ — the team's own posts and the UCI review sentences (CC BY 4.0),
# nothing else: see data/train/README.md. Deterministic: the same data gives the same
# labels and weights, byte for byte (a test checks that the committed model's are this
# script's); only the date in the model's header changes (SOURCE_DATE_EPOCH fixes it).
#
#   bash scripts/train-default-model.sh [OUT]      (default OUT: data/model/stance.model)
#
# ECOUTE names the executable (default build/ecoute, built if missing). Extra options for
# `ecoute train` (e.g. --hold-out-fold 1/5) come after OUT.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-data/model/stance.model}
shift || true
ecoute=${ECOUTE:-build/ecoute}
if [[ -z ${ECOUTE:-} ]]; then
  cmake --build build -j2 --target ecoute >/dev/null
fi
"$ecoute" train \
  --data data/train/own-en.jsonl --data data/train/own-fr.jsonl \
  --data data/train/uci-sentences.jsonl \
  --label-col stance --map complaint=complaint,neutral=neutral,question=neutral,praise=praise,resolution=praise \
  --balance --dev-share 0.1 --out "$out" "$@"
