#!/usr/bin/env python3
"""Prints the summary of scripts/load.sh from its results file (key=value lines), as
Markdown tables ready to paste into docs/LOAD.md. Standard library only."""

import math
import sys

TARGET_CASES_RPS = 20000
TARGET_CASES_P99_MS = 50
TARGET_INGEST_POSTS = 20000
TARGET_WEBHOOK_P99_MS = 100
SOAK_FULL_SECONDS = 600
# "Flat": the RSS at the end is within this much of the RSS after the first minute.
FLAT_MAX_GROWTH_PCT = 5.0
FLAT_MAX_GROWTH_MIB = 8.0


def load(path):
    r = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if "=" not in line:
                continue
            key, value = line.split("=", 1)
            if len(value) >= 2 and value[0] == value[-1] == '"':
                r[key] = value[1:-1]
                continue
            try:
                r[key] = float(value)
            except ValueError:
                r[key] = value
    return r


def num(r, key):
    v = r.get(key)
    return v if isinstance(v, float) else float("nan")


def fmt(v, digits=0):
    if isinstance(v, float) and math.isnan(v):
        return "n/a"
    return "{:,.{}f}".format(v, digits)


def verdict(ok):
    return "met" if ok else "NOT met"


def main():
    r = load(sys.argv[1])
    batch = num(r, "config.batch")
    rows = []  # (measurement, result, target, verdict)

    def socket_errors(prefix):
        parts = ["connect", "read", "write", "timeout"]
        values = [int(num(r, "%s.err_%s" % (prefix, p))) for p in parts
                  if not math.isnan(num(r, "%s.err_%s" % (prefix, p)))]
        if not values:
            return "n/a"
        text = "/".join(str(v) for v in values) + " (c/r/w/t)"
        status = num(r, prefix + ".err_status")
        if status > 0:
            text += ", %d non-2xx" % status
        return text

    if "cases.rps" in r:
        rps, p50, p99 = num(r, "cases.rps"), num(r, "cases.p50_ms"), num(r, "cases.p99_ms")
        errors = sum(num(r, "cases.err_" + k) for k in ("connect", "read", "write", "timeout", "status"))
        rows.append(("Case list, GET /api/v1/cases?limit=50, %d connections" % num(r, "config.connections"),
                     "%s req/s; p50 %s ms, p99 %s ms, max %s ms; socket errors %s" % (
                         fmt(rps), fmt(p50, 1), fmt(p99, 1), fmt(num(r, "cases.max_ms"), 1),
                         socket_errors("cases")),
                     "≥ 20,000 req/s, p99 ≤ 50 ms",
                     verdict(rps >= TARGET_CASES_RPS and p99 <= TARGET_CASES_P99_MS and errors == 0)))

    for mode, label in (("nosync", "sync_every_commit=false"), ("sync", "default sync_every_commit=true")):
        if mode + "_batch.rps" not in r:
            continue
        posts = num(r, mode + "_batch.rps") * batch
        rows.append(("Ingest, %d posts per POST, %s" % (batch, label),
                     "%s posts/s (%s req/s); p50 %s ms, p99 %s ms; errors %s" % (
                         fmt(posts), fmt(num(r, mode + "_batch.rps"), 1),
                         fmt(num(r, mode + "_batch.p50_ms"), 1), fmt(num(r, mode + "_batch.p99_ms"), 1),
                         socket_errors(mode + "_batch")),
                     "≥ 20,000 posts/s", verdict(posts >= TARGET_INGEST_POSTS)))
        single = num(r, mode + "_single.rps")
        rows.append(("Ingest, 1 post per POST, %s" % label,
                     "%s posts/s; p50 %s ms, p99 %s ms; errors %s" % (
                         fmt(single), fmt(num(r, mode + "_single.p50_ms"), 1),
                         fmt(num(r, mode + "_single.p99_ms"), 1), socket_errors(mode + "_single")),
                     "(for comparison)", "-"))

    for mode, label in (("nosync_webhook", "sync_every_commit=false"),
                        ("sync_webhook", "default sync_every_commit=true"),
                        ("soak_webhook", "during the soak")):
        if mode + ".sent" not in r:
            continue
        p99 = num(r, mode + ".p99_ms")
        missing = num(r, mode + ".missing")
        rows.append(("Webhook latency, POST sent → webhook received, %s" % label,
                     "%d sent at %s/s, %d received; p50 %s ms, p90 %s ms, p99 %s ms, max %s ms "
                     "(POST answered: p50 %s ms, p99 %s ms)%s" % (
                         num(r, mode + ".sent"), fmt(num(r, mode + ".rate"), 1),
                         num(r, mode + ".received"), fmt(num(r, mode + ".p50_ms"), 1),
                         fmt(num(r, mode + ".p90_ms"), 1), fmt(p99, 1), fmt(num(r, mode + ".max_ms"), 1),
                         fmt(num(r, mode + ".ack_p50_ms"), 1), fmt(num(r, mode + ".ack_p99_ms"), 1),
                         "; %d bad signatures" % num(r, mode + ".bad_signatures")
                         if num(r, mode + ".bad_signatures") > 0 else ""),
                     "p99 ≤ 100 ms", verdict(p99 <= TARGET_WEBHOOK_P99_MS and missing == 0)))

    samples = []
    if isinstance(r.get("soak.rss_kib"), str):
        for pair in r["soak.rss_kib"].split():
            t, _, kib = pair.partition(":")
            if kib:
                samples.append((int(t), int(kib)))
    if samples:
        soak = num(r, "config.soak")
        # Growth is counted from the first minute on (start-up and caches warm up in it);
        # for a soak too short for that, from the first sample.
        base = next(((t, k) for t, k in samples if t >= 60), samples[0])
        if base == samples[-1]:
            base = samples[0]
        end = samples[-1]
        growth_mib = (end[1] - base[1]) / 1024.0
        growth_pct = 100.0 * (end[1] - base[1]) / max(1, base[1])
        flat = growth_pct <= FLAT_MAX_GROWTH_PCT or growth_mib <= FLAT_MAX_GROWTH_MIB
        note = "" if soak >= SOAK_FULL_SECONDS else " (indicative only: soak %d s < 600 s)" % soak
        rows.append(("Memory over the soak (RSS, t=%d s → t=%d s)" % (base[0], end[0]),
                     "%s MiB → %s MiB: %+.1f MiB (%+.1f %%)" % (
                         fmt(base[1] / 1024.0, 1), fmt(end[1] / 1024.0, 1), growth_mib, growth_pct),
                     "flat over 10 min (≤ %g %% or ≤ %g MiB)" % (FLAT_MAX_GROWTH_PCT, FLAT_MAX_GROWTH_MIB),
                     verdict(flat) + note))
        if "soak_cases.rps" in r:
            rows.append(("Case list during the soak, 100 connections, with pushes",
                         "%s req/s; p50 %s ms, p99 %s ms; errors %s" % (
                             fmt(num(r, "soak_cases.rps")), fmt(num(r, "soak_cases.p50_ms"), 1),
                             fmt(num(r, "soak_cases.p99_ms"), 1), socket_errors("soak_cases")),
                         "(for comparison)", "-"))

    print()
    print("## ecoute load test, %s" % r.get("machine.date", "?"))
    print()
    print("Machine: %s CPUs (%s), %s MiB, %s; load average %s at start, %s at end." % (
        fmt(num(r, "machine.cpus")), r.get("machine.cpu", "?"), fmt(num(r, "machine.memory_mib")),
        r.get("machine.kernel", "?"), r.get("machine.load_start", "?"), r.get("machine.load_end", "?")))
    print("Runs: wrk %s s each; %s seeded posts in %s cases (page of 50: %s bytes); ingest with %s "
          "connections; %s webhooks at %s/s; soak %s s; HTTP threads %s. %s" % (
              fmt(num(r, "config.duration")), fmt(num(r, "config.seed_posts")), fmt(num(r, "seed.cases")),
              fmt(num(r, "seed.page_bytes")), fmt(num(r, "config.ingest_connections")),
              fmt(num(r, "config.webhooks")), fmt(num(r, "config.rate"), 1), fmt(num(r, "config.soak")),
              r.get("config.http_threads", "?"),
              "The server ran on CPU 0, wrk and the other load generators on CPU 1 (--pin)."
              if num(r, "config.pin") == 1 else
              "wrk, the server and the receiver share the machine's cores."))
    print()
    print("| measurement | result | target | verdict |")
    print("|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    if samples:
        print()
        print("RSS samples (s: MiB): " + ", ".join("%d: %.1f" % (t, k / 1024.0) for t, k in samples))
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
