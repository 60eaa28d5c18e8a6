#!/usr/bin/env bash
# Installs what is missing, builds ecoute, then runs its main job on the embedded default:
# ingests the bundled sample posts (blog posts, a page, social posts and conversations with
# brand replies) into one SQLite file with the sample brand catalog, lists the cases it
# built, and prints the brands' report. The database is build/demo.db (recreated).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh >/dev/null
cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j2 --target ecoute >/dev/null
db=build/demo.db
rm -f "$db" "$db-wal" "$db-shm"
build/ecoute ingest --db "$db" --brands data/sample/brands.toml data/sample/posts
echo
echo "== cases (open first, by priority) =="
build/ecoute cases --db "$db" --format text
echo
echo "== report =="
build/ecoute report --db "$db"
echo
echo "Next: build/ecoute search --db $db --format text 'colis'   build/ecoute cases show 1 --db $db --format text"
echo "      build/ecoute report --db $db --format html --out report.html   (a self-contained page)"
