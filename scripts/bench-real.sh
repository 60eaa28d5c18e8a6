#!/usr/bin/env bash
# Benchmarks `ecoute analyze` on real public text from ../shared (not shipped with ecoute):
# the 14,640 airline tweets (repeated to 292,800 posts, about the size of a day of
# mentions for a large brand) and the article text of the page test suite (about 100 real
# web articles, mostly English). Prints posts/s, MB/s, the CLD2 share and peak memory for
# an empty catalog and a 5,000-brand one.
set -euo pipefail
cd "$(dirname "$0")/.."
shared=${ECOUTE_SHARED:-../shared}
out=build/bench-data
mkdir -p "$out"
python3 - "$shared" "$out" <<'PY'
import csv, html, json, os, re, sys
shared, out = sys.argv[1], sys.argv[2]
with open(os.path.join(shared, "data/airline-tweets-us/Tweets.csv"), newline="", encoding="utf-8") as f:
    tweets = [html.unescape(row["text"]) for row in csv.DictReader(f)]
with open(os.path.join(out, "tweets.jsonl"), "w", encoding="utf-8") as f:
    for copy in range(20):
        for i, text in enumerate(tweets):
            f.write(json.dumps({"id": f"{copy}-{i}", "text": text}, ensure_ascii=False) + "\n")
pages = os.path.join(shared, "testsuites/pages")
with open(os.path.join(out, "pages.jsonl"), "w", encoding="utf-8") as f:
    for name in sorted(os.listdir(pages)):
        path = os.path.join(pages, name, "expected.html")
        if not os.path.exists(path):
            continue
        raw = open(path, encoding="utf-8", errors="replace").read()
        raw = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", raw)
        raw = re.sub(r"(?i)</(p|div|h[1-6]|li|blockquote|pre|tr)>", "\n\n", raw)
        text = html.unescape(re.sub(r"<[^>]+>", " ", raw))
        text = re.sub(r"[ \t]+", " ", text)
        text = re.sub(r"\s*\n\s*\n\s*", "\n\n", text).strip()
        if text:
            f.write(json.dumps({"id": name, "text": text}, ensure_ascii=False) + "\n")
PY
cmake --build build -j2 --target ecoute >/dev/null
for corpus in tweets pages; do
  echo "== $corpus ($(wc -l < "$out/$corpus.jsonl") posts, $(du -h "$out/$corpus.jsonl" | cut -f1))"
  build/ecoute bench analyze --input "$out/$corpus.jsonl" --seconds "${ECOUTE_BENCH_SECONDS:-3}"
done
