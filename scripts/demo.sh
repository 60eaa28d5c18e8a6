#!/usr/bin/env bash
# Installs what is missing, builds ecoute, and analyzes the bundled sample posts with the
# sample brand catalog. Extra arguments go to `ecoute analyze` (e.g. --format json).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target ecoute >/dev/null
exec build/ecoute analyze --brands data/sample/brands.toml --format text "$@" data/sample/posts/*
