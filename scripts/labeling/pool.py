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
import itertools
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


def twcs_tweets(shared):
    """Customers' tweets to brands' support accounts, in English ("Customer Support on
    Twitter"): the addressee is the support account the tweet names or answers."""
    path = os.path.join(shared, "twcs-sample", "twcs.csv")
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    by_id = {row["tweet_id"]: row for row in rows}
    accounts = {row["author_id"] for row in rows if row["inbound"] == "False"}
    lower = {a.lower(): a for a in accounts}
    for row in rows:
        if row["inbound"] != "True":
            continue
        text = row["text"].strip()
        account = ""
        for word in text.split():
            handle = word.strip(".,:;!?()").lstrip("@")
            if word.startswith("@") and handle.lower() in lower:
                account = lower[handle.lower()]
                break
        if not account:
            parent = by_id.get(row["in_response_to_tweet_id"].split(".")[0], {})
            if parent.get("inbound") == "False":
                account = parent["author_id"]
        if account:
            yield {"id": "twcs:" + row["tweet_id"], "source": "en-twcs", "account": row["author_id"],
                   "addressee": TWCS_BRANDS.get(account, account), "text": text}


# The twcs support accounts' brands, as data/eval/brands-real.toml names them.
TWCS_BRANDS = {
    "ATVIAssist": "Activision",
    "AdobeCare": "Adobe",
    "AirAsiaSupport": "AirAsia",
    "AirbnbHelp": "Airbnb",
    "AlaskaAir": "Alaska Airlines",
    "AldiUK": "Aldi",
    "AmazonHelp": "Amazon",
    "AmericanAir": "American Airlines",
    "AppleSupport": "Apple",
    "ArgosHelpers": "Argos",
    "AskAmex": "American Express",
    "AskCiti": "Citi",
    "AskLyft": "Lyft",
    "AskPapaJohns": "Papa John's",
    "AskPayPal": "PayPal",
    "AskPlayStation": "PlayStation",
    "AskTarget": "Target",
    "Ask_Spectrum": "Spectrum",
    "Ask_WellsFargo": "Wells Fargo",
    "AskeBay": "eBay",
    "AsurionCares": "Asurion",
    "AzureSupport": "Microsoft Azure",
    "BofA_Help": "Bank of America",
    "BoostCare": "Boost Mobile",
    "British_Airways": "British Airways",
    "CenturyLinkHelp": "CenturyLink",
    "ChaseSupport": "Chase",
    "ChipotleTweets": "Chipotle",
    "CoxHelp": "Cox",
    "Delta": "Delta Air Lines",
    "DoorDash_Help": "DoorDash",
    "DropboxSupport": "Dropbox",
    "DunkinDonuts": "Dunkin'",
    "GWRHelp": "GWR",
    "GloCare": "Glo",
    "GoDaddyHelp": "GoDaddy",
    "HPSupport": "HP",
    "IHGService": "IHG",
    "JackBox": "Jack in the Box",
    "JetBlue": "JetBlue",
    "Kimpton": "Kimpton",
    "LondonMidland": "London Midland",
    "McDonalds": "McDonald's",
    "MicrosoftHelps": "Microsoft",
    "Morrisons": "Morrisons",
    "NeweggService": "Newegg",
    "NikeSupport": "Nike",
    "O2": "O2",
    "Postmates_Help": "Postmates",
    "SW_Help": "Southwest Water",
    "Safaricom_Care": "Safaricom",
    "SouthwestAir": "Southwest Airlines",
    "SpotifyCares": "Spotify",
    "TMobileHelp": "T-Mobile",
    "Tesco": "Tesco",
    "TfL": "TfL",
    "UPSHelp": "UPS",
    "USCellularCares": "US Cellular",
    "Uber_Support": "Uber",
    "VerizonSupport": "Verizon",
    "VirginAmerica": "Virgin America",
    "VirginAtlantic": "Virgin Atlantic",
    "VirginTrains": "Virgin Trains",
    "Walmart": "Walmart",
    "XboxSupport": "Xbox",
    "YahooCare": "Yahoo",
    "airtel_care": "Airtel",
    "askpanera": "Panera",
    "asksalesforce": "Salesforce",
    "comcastcares": "Comcast",
    "hulu_support": "Hulu",
    "idea_cares": "Idea Cellular",
    "marksandspencer": "Marks & Spencer",
    "nationalrailenq": "National Rail",
    "sainsburys": "Sainsbury's",
    "sprintcare": "Sprint",
}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.path.join(os.path.dirname(__file__),
                                                         "..", "..", "..", "shared", "data"))
    args = parser.parse_args()
    seen = set()
    for reader in (free_tweets, rerc_tweets, showroomprive_reviews, twcs_tweets):
        posts = reader(args.shared)
        try:
            first = next(posts)
        except FileNotFoundError as missing:
            # A source not copied here: its posts are left out, the others still come.
            sys.stderr.write(f"pool.py: {missing.filename} is missing: its posts are left out\n")
            continue
        except StopIteration:
            continue
        for post in itertools.chain([first], posts):
            key = (post["source"], post["text"].strip().lower())
            if not post["text"].strip() or key in seen:
                continue  # retweets and copies: one of each
            seen.add(key)
            sys.stdout.write(json.dumps(post, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
