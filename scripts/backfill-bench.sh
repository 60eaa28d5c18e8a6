#!/usr/bin/env bash
# The search back-fill of one brand, timed (docs/LISTENING.md): a loopback Bluesky search
# answers PAGES pages of 100 posts naming Jeanerie; `ecoute serve` reads them back with
# backfill_limit = PAGES * 100 and stores them; the script prints the back-fill's outcome,
# its time, and the time of a second run (every post known already).
#
#   scripts/backfill-bench.sh [build/ecoute] [pages, default 10]
set -euo pipefail
bin=$(realpath "${1:-build/ecoute}")
pages=${2:-10}
repo=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$tmp"' EXIT

cat >"$tmp/search.py" <<'EOF'
import datetime, http.server, json, sys, urllib.parse
pages = int(sys.argv[1])
now = datetime.datetime.now(datetime.timezone.utc)
class Search(http.server.BaseHTTPRequestHandler):
    def log_message(self, *args): pass
    def do_GET(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        page = int(q.get('cursor', ['0'])[0])
        posts = []
        if q.get('q') == ['Jeanerie']:
            for i in range(100):
                n = page * 100 + i
                at = (now - datetime.timedelta(minutes=n)).isoformat().replace('+00:00', 'Z')
                posts.append({'uri': f'at://did:plc:bench{n % 50}/app.bsky.feed.post/3bench{n}',
                              'author': {'did': f'did:plc:bench{n % 50}', 'handle': f'client{n % 50}.bsky.social'},
                              'record': {'$type': 'app.bsky.feed.post', 'createdAt': at, 'langs': ['fr'],
                                         'text': f'Commande {n} chez Jeanerie toujours pas livrée, service client injoignable'},
                              'likeCount': 0, 'indexedAt': at})
        body = {'posts': posts}
        if posts and page + 1 < pages: body['cursor'] = str(page + 1)
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.send_header('Content-Length', str(len(data)))
        self.end_headers()
        self.wfile.write(data)
server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), Search)
print(server.server_address[1], flush=True)
server.serve_forever()
EOF
python3 "$tmp/search.py" "$pages" >"$tmp/port" &
while [ ! -s "$tmp/port" ]; do sleep 0.1; done
search_port=$(cat "$tmp/port")

echo 'granite lantern harbor' | "$bin" users add admin --role admin --password-stdin --db "$tmp/t.db" >/dev/null
ECOUTE_OUTBOUND_ALLOW_PRIVATE=127.0.0.1 ECOUTE_LISTEN_JETSTREAM_URL= \
ECOUTE_LISTEN_BLUESKY_SEARCH_URL="http://127.0.0.1:$search_port/xrpc/app.bsky.feed.searchPosts" \
ECOUTE_LISTEN_BACKFILL_LIMIT=$((pages * 100)) \
  "$bin" serve --db "$tmp/t.db" --brands "$repo/data/sample/brands.toml" --listen 127.0.0.1:0 \
  2>"$tmp/serve.log" &
until grep -q 'listening on http' "$tmp/serve.log"; do sleep 0.1; done
base=$(grep -o 'http://127.0.0.1:[0-9]*/' "$tmp/serve.log" | head -1)

csrf=$(curl -s -c "$tmp/cookies" -H 'Content-Type: application/json' \
  -d '{"name":"admin","password":"granite lantern harbor"}' "${base}api/v1/session" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["csrf"])')
call() {
  curl -s -b "$tmp/cookies" -H "X-CSRF-Token: $csrf" -H 'Content-Type: application/json' "$@"
}
cat >"$tmp/outcome.py" <<'EOF'
import json, sys
b = json.load(sys.stdin)['last_backfill']
if sys.argv[1:] == ['done']:
    sys.exit(0 if b and not b['running'] else 1)
print(f"{b['searches']} searches, {b['read']} posts read, {b['kept']} kept, "
      f"{b['posts']} stored anew, {len(b['errors'])} errors", end='')
EOF
run() {
  local start end
  start=$(date +%s.%N)
  call -d '{"accept":[]}' "${base}api/v1/brands/Jeanerie/listening" >/dev/null
  until call "${base}api/v1/brands/Jeanerie/listening" | python3 "$tmp/outcome.py" done; do
    sleep 0.05
  done
  end=$(date +%s.%N)
  call "${base}api/v1/brands/Jeanerie/listening" | python3 "$tmp/outcome.py"
  echo ", $(python3 -c "print(f'{$end - $start:.2f}')") s"
}
echo "first run:  $(run)"
echo "second run: $(run)"
