"""Curation tests: the curated data holds what it should (read with the csv module only)."""
import csv
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent.parent / "data"

MIN_ROWS = {
    "sources": 59,
    "actors": 24,
    "events": 34,
    "event_actors": 106,
    "event_sources": 72,
    "claims": 63,
    "claim_sources": 22,
    "strategies": 40,
    "strategy_targets": 59,
}

KEY_EVENTS = {
    # event_id: (start_date, date_precision)
    "evt-2019-04-25-putin-kim-vladivostok-summit": ("2019-04-25", "day"),
    "evt-2023-09-13-putin-kim-vostochny-summit": ("2023-09-13", "day"),
    "evt-2024-06-19-treaty-signed": ("2024-06-19", "day"),
    "evt-2024-12-04-treaty-enters-into-force": ("2024-12-04", "day"),
    "evt-2024-10-nk-troops-deployed-to-russia": ("2024-10", "month"),
    "evt-2025-05-09-kim-visits-russian-embassy": ("2025-05-09", "day"),
    "evt-2019-09-02-wang-yi-pyongyang-visit": ("2019-09-02", "day"),
    "evt-2024-10-24-duma-ratifies-treaty": ("2024-10-24", "day"),
    "evt-2024-11-06-federation-council-ratifies-treaty": ("2024-11-06", "day"),
    "evt-2024-11-09-putin-signs-ratification-law": ("2024-11-09", "day"),
    "evt-2024-11-11-north-korea-ratifies-treaty": ("2024-11-11", "day"),
    "evt-2024-12-16-joint-statement-condemns-dprk-russia-cooperation": ("2024-12-16", "day"),
}

CONTRADICTED = [
    "clm-a1-united-front",
    "clm-a2-china-building-alliances",
    "clm-a2-china-most-populous",
    "clm-a2-china-reduce-dependence-on-nk",
    "clm-a2-six-of-ten-most-populous",
    "clm-a2-south-china-sea-competition",
    "clm-a2-three-largest-economies",
    "clm-a2-vladivostok-alliance-2019",
    "clm-a2-wang-yi-pyongyang-december-2019",
]


def rows(table):
    with open(DATA / f"{table}.csv", encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def by_id(table, key):
    return {r[key]: r for r in rows(table)}


@pytest.mark.parametrize("table,minimum", sorted(MIN_ROWS.items()))
def test_minimum_row_counts(table, minimum):
    assert len(rows(table)) >= minimum


@pytest.mark.parametrize("event_id,expected", sorted(KEY_EVENTS.items()))
def test_key_events_with_dates(event_id, expected):
    event = by_id("events", "event_id").get(event_id)
    assert event is not None, event_id
    assert (event["start_date"], event["date_precision"]) == expected


@pytest.mark.parametrize("claim_id", CONTRADICTED)
def test_contradicted_claims(claim_id):
    claim = by_id("claims", "claim_id").get(claim_id)
    assert claim is not None, claim_id
    assert claim["verdict"] == "contradicted"
    assert claim["verdict_note"] and claim["authority_source_id"]


def test_opinions_are_not_rated():
    opinions = [c for c in rows("claims") if c["kind"] == "opinion"]
    assert opinions
    assert all(c["verdict"] == "not_rated" for c in opinions)


PARTLY_SUPPORTED = [
    # verdicts revised on fact-check: mixed evidence, not false
    "clm-a2-china-expressed-concerns",
    "clm-a2-six-party-talks-platform",
]


@pytest.mark.parametrize("claim_id", PARTLY_SUPPORTED)
def test_partly_supported_claims(claim_id):
    claim = by_id("claims", "claim_id").get(claim_id)
    assert claim is not None, claim_id
    assert claim["verdict"] == "partly_supported"
    assert claim["verdict_note"] and claim["authority_source_id"]


def test_key_events_have_sources():
    sourced = {r["event_id"] for r in rows("event_sources")}
    assert set(KEY_EVENTS) <= sourced
