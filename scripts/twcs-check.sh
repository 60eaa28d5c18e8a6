#!/usr/bin/env bash
# Checks ecoute's cases against real customer-support threads (docs/TWCS.md): converts the
# TWCS sample with twcs_to_jsonl, ingests it with `ecoute ingest`, reports with
# `ecoute report`, and prints twcs_compare's table (thread precision/recall/F1, coverage,
# and per brand truth vs ecoute).
#
#   scripts/twcs-check.sh [--build DIR] [--csv TWCS_CSV] [--format text|json] [--keep]
#
# --build: the CMake build directory (default build/, configured if missing; tests must be
# on, the default, for the twcs tools to exist). --csv: default ../shared/data/twcs-sample/
# twcs.csv (or $ECOUTE_SHARED/data/twcs-sample/twcs.csv). --keep: keep the work directory
# (posts.jsonl, brands.toml, truth.json, twcs.db, report.json) and print its path.
set -euo pipefail
cd "$(dirname "$0")/.."

build=build
csv=${ECOUTE_SHARED:-../shared}/data/twcs-sample/twcs.csv
format=text
keep=0
while (($#)); do
  case "$1" in
    --build) build=$2; shift 2 ;;
    --csv) csv=$2; shift 2 ;;
    --format) format=$2; shift 2 ;;
    --keep) keep=1; shift ;;
    -h|--help) sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) echo "twcs-check: unknown argument '$1' (see --help)" >&2; exit 64 ;;
  esac
done
[[ -r "$csv" ]] || { echo "twcs-check: $csv: not found (set ECOUTE_SHARED or --csv)" >&2; exit 66; }

if [[ ! -f "$build/CMakeCache.txt" ]]; then
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
fi
cmake --build "$build" -j2 --target ecoute twcs_to_jsonl twcs_compare >/dev/null
ecoute=$build/ecoute
tools=$build/tools/twcs

tmp=$(mktemp -d "${TMPDIR:-/tmp}/twcs-check.XXXXXX")
if ((keep)); then
  echo "twcs-check: work directory $tmp" >&2
else
  trap 'rm -rf "$tmp"' EXIT
fi

"$tools/twcs_to_jsonl" "$csv" --posts "$tmp/posts.jsonl" --brands "$tmp/brands.toml" \
  --truth "$tmp/truth.json" >&2
"$ecoute" ingest --db "$tmp/twcs.db" --brands "$tmp/brands.toml" "$tmp/posts.jsonl" >&2
"$ecoute" report --db "$tmp/twcs.db" --format json >"$tmp/report.json"
"$tools/twcs_compare" --truth "$tmp/truth.json" --db "$tmp/twcs.db" \
  --report "$tmp/report.json" --format "$format"
