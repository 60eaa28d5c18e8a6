#!/usr/bin/env python3
"""Webhook latency for scripts/load.sh: a receiver and a sender. Standard library only.

  webhook.py receive --port-file F --log F [--secret S]
      Listens on 127.0.0.1 (a free port, written to F), answers every POST with 204 at
      once, and appends one tab-separated line per webhook to the log:
          arrival  marker  event  delivery  signature(ok|bad|unchecked)
      arrival is time.monotonic() once the whole body is read. CLOCK_MONOTONIC is one
      clock for every process of the machine, so the sender's times compare with it.

  webhook.py send --url URL --token T --log F --count N --rate R --run ID
      Pushes N complaints about Jeanerie, one POST /api/v1/posts each, at R per second
      (open loop: sends are scheduled on the clock, not after the previous answer). Each
      text starts with a unique marker (ID-i) and comes from a new author, so that each
      opens a case (case.opened). Then waits for the webhooks (--wait seconds at most
      after the last send), matches them to the sends by marker in the receiver's log and
      prints latency percentiles from "POST sent" to "webhook received", as a line:
          WEBHOOKRESULT sent=... received=... missing=... p50_ms=... p99_ms=... max_ms=...
"""

import argparse
import hashlib
import hmac
import http.client
import http.server
import json
import math
import os
import re
import sys
import threading
import time
import urllib.parse

MARKER = re.compile(r"LTM[0-9A-Za-z]+-[0-9]+")


def receive(args):
    lock = threading.Lock()
    log = open(args.log, "a", encoding="utf-8", buffering=1)
    secret = args.secret.encode() if args.secret else None

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length > 0 else b""
            arrival = time.monotonic()
            self.send_response(204)
            self.send_header("Content-Length", "0")
            self.end_headers()
            signature = "unchecked"
            if secret is not None:
                stamp = self.headers.get("X-Ecoute-Timestamp", "")
                mac = hmac.new(secret, stamp.encode() + b"." + body, hashlib.sha256).hexdigest()
                signature = "ok" if hmac.compare_digest(
                    "sha256=" + mac, self.headers.get("X-Ecoute-Signature", "")) else "bad"
            marker = "-"
            try:
                case = json.loads(body).get("case") or {}
                found = MARKER.search(case.get("title", ""))
                if found:
                    marker = found.group(0)
            except ValueError:
                pass
            with lock:
                log.write("%.6f\t%s\t%s\t%s\t%s\n" % (
                    arrival, marker, self.headers.get("X-Ecoute-Event", "-"),
                    self.headers.get("X-Ecoute-Delivery", "-"), signature))

        def log_message(self, *unused):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    tmp = args.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % server.server_address[1])
    os.replace(tmp, args.port_file)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


def percentile(sorted_values, p):
    """Nearest-rank percentile of a sorted list."""
    if not sorted_values:
        return float("nan")
    rank = max(1, math.ceil(p / 100.0 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def read_arrivals(path):
    arrivals = {}
    bad_signatures = 0
    try:
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.rstrip("\n").split("\t")
                if len(parts) < 5:
                    continue
                if parts[4] == "bad":
                    bad_signatures += 1
                if parts[1] != "-" and parts[1] not in arrivals:  # first arrival counts
                    arrivals[parts[1]] = float(parts[0])
    except FileNotFoundError:
        pass
    return arrivals, bad_signatures


def send(args):
    u = urllib.parse.urlsplit(args.url)
    headers = {"Authorization": "Bearer " + args.token, "Content-Type": "application/json"}
    conn = None
    sends = {}
    acks = []
    errors = 0
    start = time.monotonic()
    for i in range(args.count):
        due = start + i / args.rate
        delay = due - time.monotonic()
        if delay > 0:
            time.sleep(delay)
        marker = "LTM%s-%d" % (args.run, i)
        post = {
            "id": "wh-%s-%d" % (args.run, i),
            "author": "@webhook_%s_%d" % (args.run, i),
            "published_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "text": "%s @jeanerie commande jamais livrée, trois semaines sans réponse du "
                    "service client. Je veux être remboursée." % marker,
        }
        body = json.dumps(post, ensure_ascii=False).encode("utf-8")
        for attempt in range(2):  # one retry on a dropped keep-alive connection
            try:
                if conn is None:
                    conn = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
                sent = time.monotonic()
                conn.request("POST", "/api/v1/posts", body, headers)
                resp = conn.getresponse()
                resp.read()
                acked = time.monotonic()
                if resp.status in (200, 207):
                    sends[marker] = sent
                    acks.append(acked - sent)
                else:
                    errors += 1
                break
            except (OSError, http.client.HTTPException):
                conn = None
                if attempt == 1:
                    errors += 1
    last_send = time.monotonic()

    deadline = last_send + args.wait
    while True:
        arrivals, bad = read_arrivals(args.log)
        if all(m in arrivals for m in sends) or time.monotonic() >= deadline:
            break
        time.sleep(0.2)

    latencies = sorted(arrivals[m] - t for m, t in sends.items() if m in arrivals)
    acks.sort()
    ms = lambda v: v * 1000.0
    result = {
        "sent": len(sends),
        "send_errors": errors,
        "received": len(latencies),
        "missing": len(sends) - len(latencies),
        "bad_signatures": bad,
        "rate": args.count / max(1e-9, last_send - start),
        "p50_ms": ms(percentile(latencies, 50)),
        "p90_ms": ms(percentile(latencies, 90)),
        "p99_ms": ms(percentile(latencies, 99)),
        "max_ms": ms(latencies[-1]) if latencies else float("nan"),
        "ack_p50_ms": ms(percentile(acks, 50)),
        "ack_p99_ms": ms(percentile(acks, 99)),
    }
    print("WEBHOOKRESULT " + " ".join(
        ("%s=%.1f" if isinstance(v, float) else "%s=%d") % (k, v) for k, v in result.items()))
    sys.stdout.flush()
    return 0 if result["sent"] > 0 else 1


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    r = sub.add_parser("receive")
    r.add_argument("--port-file", required=True)
    r.add_argument("--log", required=True)
    r.add_argument("--secret", default="")
    s = sub.add_parser("send")
    s.add_argument("--url", required=True)
    s.add_argument("--token", required=True)
    s.add_argument("--log", required=True, help="the receiver's log")
    s.add_argument("--count", type=int, default=500)
    s.add_argument("--rate", type=float, default=20.0)
    s.add_argument("--run", default="0")
    s.add_argument("--wait", type=float, default=15.0)
    args = parser.parse_args()
    return receive(args) if args.command == "receive" else send(args)


if __name__ == "__main__":
    sys.exit(main())
