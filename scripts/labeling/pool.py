#!/usr/bin/env python3
"""Builds the pool of real customer posts to label, from the public sets in ../shared/data.

Writes one JSON object per post: {"id", "source", "account", "addressee", "text"}. The
texts stay outside the repository (their licenses do not allow shipping them): the
repository keeps the ids and the labels (data/train/real/), and this script rebuilds the
texts from the same files. Posts written by the brands' own accounts and by bots are left
out: ecoute measures customers.

    python3 scripts/labeling/pool.py [--shared ../shared/data] > build/labeling/pool.jsonl
"""
import argparse
import csv
import json
import os
import sys

# Accounts of the brands themselves, and alert bots.
FREE_OWN = {"freebox", "free", "free_1337", "groupeiliad", "freemobile", "universfreebox",
            "zoneadsl_panne"}
RERC_OWN = {"rerc_sncf", "next_alert", "alertesrerc", "travailleur de la sncf 1"}


def free_tweets(shared):
    path = os.path.join(shared, "fr-free-tweets", "free_tweet_export.csv")
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["author"].lower() in FREE_OWN:
                continue
            yield {"id": "free:" + row["tweet_id"], "source": "fr-free-tweets",
                   "account": row["author"], "addressee": "Free", "text": row["text"]}


def rerc_tweets(shared):
    path = os.path.join(shared, "fr-rerc-tweets", "tweets.csv")
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["user_screen_name"].lower() in RERC_OWN:
                continue
            yield {"id": "rerc:" + row["id"], "source": "fr-rerc-tweets",
                   "account": row["user_screen_name"], "addressee": "SNCF",
                   "text": row["text"]}


def showroomprive_reviews(shared):
    path = os.path.join(shared, "fr-showroomprive-trustpilot", "reviews.jsonl")
    with open(path, encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            text = (row.get("user_review") or "").strip()
            if not text:
                continue
            yield {"id": "srp:" + row["id_review"], "source": "fr-showroomprive-trustpilot",
                   "account": "trustpilot", "addressee": "Showroomprivé", "text": text}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__),
                                                         "..", "..", "..", "shared", "data"))
    args = parser.parse_args()
    seen = set()
    for reader in (free_tweets, rerc_tweets, showroomprive_reviews):
        for post in reader(args.shared):
            key = (post["source"], post["text"].strip().lower())
            if not post["text"].strip() or key in seen:
                continue  # retweets and copies: one of each
            seen.add(key)
            sys.stdout.write(json.dumps(post, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
