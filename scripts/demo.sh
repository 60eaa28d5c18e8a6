#!/usr/bin/env bash
# Installs what is missing, builds ecoute, then runs its main job on the embedded default:
# ingests the bundled sample posts (blog posts, a page, social posts and conversations with
# brand replies) into one SQLite file with the sample brand catalog, prints the cases and
# the brands' report, creates a first admin with a fresh random password, and starts the
# service: the dashboard and the API, until Ctrl-C. The database is build/demo.db
# (recreated each time).
#   ECOUTE_DEMO_LISTEN=host:port   where to listen (default 127.0.0.1:8080)
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
echo "== the service =="
password=$(build/ecoute users add admin --role admin --db "$db" | sed -n 's/^password: //p')
listen=${ECOUTE_DEMO_LISTEN:-127.0.0.1:8080}
echo "Log in at http://$listen/ as admin with the password $password"
echo "(shown once; more users: build/ecoute users add NAME --role agent --brands Jeanerie --db $db)"
echo "Ctrl-C stops the service."
exec build/ecoute serve --db "$db" --brands data/sample/brands.toml --listen "$listen"
