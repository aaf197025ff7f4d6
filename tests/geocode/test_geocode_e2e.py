"""End to end: `scrapy crawl geocode` against the replica's Nominatim, with the replica's theatres and
cinemas in the store, judged by the replica's truth and its request log (arrival times by the
replica's clock, time.monotonic there): every place geocoded or explicitly not, one request per
query ever, the rate, retries, and nothing geocoded ever lost."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from cineradar.items import TixTheatre
from replica import Knobs, Replica
from tests.conftest import ROOT, open_store, run_crawl
from tests.geocode.places import seed_places

DAY0 = dt.date(2026, 11, 21)
FAST = {"GEOCODER_RATE_LIMIT": "25"}  # the replica is ours: tests of correctness need not wait 1 s a request
pytestmark = pytest.mark.e2e


@pytest.fixture
def replica():
    replica = Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs())
    replica.start()
    yield replica
    replica.stop()


@pytest.fixture
def default_replica():
    replica = Replica(preset="default", seed=1, date=DAY0, knobs=Knobs())
    replica.start()
    yield replica
    replica.stop()


# Cities of the default preset where every kind of place occurs (replica/nominatim/data.py): exact, street,
# locality, ambiguous, outside, missing (TIX.id); exact, fallback_only, ambiguous, outside, missing (repertuary)
TIX_CITIES = {"SOLO", "MANADO", "SAMARINDA"}
PL_CITIES = {"krakow", "lodz", "rzeszow"}


def geocode(replica: Replica, tmp_path: Path, *args: str, returncode: int = 0, **settings: str) -> dict:
    return run_crawl("geocode", replica.urls, tmp_path, *args, settings=FAST | settings, returncode=returncode)


def sent(replica: Replica, since: int = 0) -> list[dict[str, Any]]:
    """The /search requests the replica received (retries included), in arrival order."""
    return [e for e in replica.ctx.log[since:] if e["site"] == "nominatim"]


def stored(tmp_path: Path, entity: str = "geocodes") -> list[dict[str, Any]]:
    store = open_store(tmp_path / "cineradar.db")
    try:
        return store.fetch(entity)
    finally:
        store.close()


def by_place(tmp_path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    return {(r["site"], r["place_key"]): r for r in stored(tmp_path)}


def review(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "scrapy", "geocode-review", "-s",
                           f"SQLITE_PATH={tmp_path / 'cineradar.db'}", *args], cwd=ROOT, capture_output=True,
                          text=True, env=os.environ | {"PYTHONPATH": str(ROOT)}, timeout=120)


def listed(tmp_path: Path) -> dict[str, set[tuple[str, str]]]:
    proc = review(tmp_path, "--json")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    sections: dict[str, set[tuple[str, str]]] = {}
    for place in json.loads(proc.stdout)["places"]:
        sections.setdefault(place["section"], set()).add((place["site"], place["place_key"]))
    return sections


def test_every_place_is_geocoded_or_says_why_and_a_second_run_sends_nothing(default_replica, tmp_path):
    replica = default_replica
    truth = {(p["site"], p["key"]): p for p in replica.truth("nominatim")["places"]
             if p["city"] in TIX_CITIES | PL_CITIES}
    keys = seed_places(tmp_path / "cineradar.db", replica.truth(), TIX_CITIES, PL_CITIES)
    assert keys == set(truth) and {(p["site"], p["kind"]) for p in truth.values()} == {
        *[("tix", k) for k in ("exact", "street", "locality", "ambiguous", "outside", "missing")],
        *[("repertuary", k) for k in ("exact", "fallback_only", "ambiguous", "outside", "missing")]}
    assert listed(tmp_path) == {"pending": keys}
    stats = geocode(replica, tmp_path, GEOCODER_CONTACT="ops@cineradar.example")
    rows = by_place(tmp_path)
    assert set(rows) == keys  # every theatre and cinema has a row: coordinates or a reason
    for key, expected in truth.items():
        row = rows[key]
        assert row["status"] == expected["status"], (key, expected["kind"], row)
        assert row["reason"]
        if expected["status"] == "found":
            assert (row["lat"], row["lng"], row["osm_id"]) == (expected["lat"], expected["lng"], expected["osm_id"])
            assert row["display_name"] and row["confidence"] and row["located_query"] in row["queries"]
            assert row["ambiguous"] == expected["ambiguous"]
        else:
            assert row["lat"] is None and row["lng"] is None
        if expected["status"] == "refused":
            assert row["refused"] and all(r["lat"] is not None for r in row["refused"])
    baranami = rows[("repertuary", "krakow|kino-pod-baranami")]
    assert (baranami["lat"], baranami["lng"], baranami["confidence"]) == (50.0616286, 19.9353217, "name")
    kinds = {(k[0], truth[k]["kind"]): rows[k] for k in truth}
    expected_confidence = {("tix", "exact"): "exact", ("tix", "street"): "street", ("tix", "locality"): "locality",
                           ("repertuary", "exact"): "name", ("repertuary", "fallback_only"): "name"}
    for key, row in rows.items():
        assert row["confidence"] == expected_confidence.get((key[0], truth[key]["kind"]), row["confidence"])
    fallback = kinds[("repertuary", "fallback_only")]  # the full name finds nothing, the name without "kino" does
    assert len(fallback["queries"]) == 2 and fallback["located_query"] == fallback["queries"][1]
    # The TIX.id theatres carry their coordinates (Firestore's theatres/{id}.lat/lng), nothing else changed
    theatres = {r["theatre_id"]: r for r in stored(tmp_path, "tix_theatres")}
    before = {t["theatre_id"]: t for t in replica.truth("tix")["theatres"]}
    for (site, key), row in rows.items():
        if site == "tix":
            assert (theatres[key]["lat"], theatres[key]["lng"]) == (row["lat"], row["lng"])
            assert theatres[key]["merchant"] == before[key]["merchant"] and theatres[key]["address"]
            assert theatres[key]["room_types"] == sorted(before[key]["room_categories"])
    # One request per distinct query, each kept with its answer (not found too) and its date
    first = sent(replica)
    paths = [e["path"] for e in first]
    assert len(paths) == len(set(paths)) == stats["cineradar/geocode/requests"]
    answers = stored(tmp_path, "geocode_answers")
    assert len(answers) == len(paths) and {a["status"] for a in answers} == {"found", "not_found"}
    assert all(a["answered_at"] for a in answers)
    assert all("contact: ops@cineradar.example" in e["user_agent"] and e["user_agent"].startswith("CineRadar/")
               for e in first)
    assert all("format=jsonv2" in p and "limit=5" in p and ("countrycodes=id" in p or "countrycodes=pl" in p)
               for p in paths)

    # `scrapy geocode-review` lists exactly the places without coordinates, refused or ambiguous
    of_kind = {kind: {k for k, p in truth.items() if p["kind"] == kind}
               for kind in ("missing", "outside", "ambiguous", "locality")}
    assert listed(tmp_path) == {"not_found": of_kind["missing"], "refused": of_kind["outside"],
                                "ambiguous": of_kind["ambiguous"], "imprecise": of_kind["locality"]}
    text = review(tmp_path).stdout
    assert text.startswith(f"geocode-review: {len(keys)} places") and "© OpenStreetMap contributors" in text

    mark = len(replica.ctx.log)
    again = geocode(replica, tmp_path)
    assert sent(replica, mark) == []  # counted at the replica: not one request
    assert by_place(tmp_path) == rows
    assert again["cineradar/outcome/status"] == "success"
    assert again.get("item_scraped_count", 0) == 0  # decided places are not even rewritten
    # force: every place decided again from the kept answers, still without a request
    forced = geocode(replica, tmp_path, "force=1")
    assert sent(replica, mark) == [] and forced["cineradar/geocode/cache_hits"] >= len(keys)
    assert {k: r["status"] for k, r in by_place(tmp_path).items()} == {k: r["status"] for k, r in rows.items()}


@pytest.mark.serial  # counts requests per second at the wire: run alone
def test_the_rate_at_the_replica_never_exceeds_one_request_a_second(replica, tmp_path):
    seed_places(tmp_path / "cineradar.db", replica.truth(), tix_cities={"AMBON", "BANDUNG"},
                repertuary_cities={"krakow"})
    run_crawl("geocode", replica.urls, tmp_path, "cities=AMBON,BANDUNG,krakow")  # the default rate: 1/s
    arrivals = [e["t"] for e in sent(replica)]
    assert len(arrivals) >= 7
    gaps = [b - a for a, b in zip(arrivals, arrivals[1:], strict=False)]
    assert min(gaps) >= 1.0, gaps  # any second of the replica's clock holds at most one request
    assert sum(gaps) / len(gaps) < 1.5  # and it is not a crawl that sleeps far more than needed


def test_an_address_change_sends_exactly_one_request(replica, tmp_path):
    truth = {p["key"]: p for p in replica.truth("nominatim")["places"] if p["site"] == "tix"}
    jakarta = [t for t in replica.truth("tix")["theatres"]
               if t["city"] == "JAKARTA" and truth[t["theatre_id"]]["status"] == "found"]
    theatre, elsewhere = jakarta[0], jakarta[1]  # elsewhere: an address the replica knows, never asked yet
    seed_places(tmp_path / "cineradar.db", replica.truth())
    store = open_store(tmp_path / "cineradar.db")
    store.conn.execute("DELETE FROM tix_theatres WHERE theatre_id = ?", (elsewhere["theatre_id"],))
    store.conn.commit()
    store.close()
    geocode(replica, tmp_path)
    rows = by_place(tmp_path)
    # The theatre moved: the site now lists it at the other address
    store = open_store(tmp_path / "cineradar.db")
    row = next(r for r in store.fetch("tix_theatres") if r["theatre_id"] == theatre["theatre_id"])
    store.upsert("tix_theatres", [TixTheatre.model_validate(row | {"address": elsewhere["address"]}).row()])
    store.close()
    mark = len(replica.ctx.log)
    geocode(replica, tmp_path)
    [request] = sent(replica, mark)  # counted at the replica: one
    assert request["status"] == 200
    moved = by_place(tmp_path)[("tix", theatre["theatre_id"])]
    target = truth[elsewhere["theatre_id"]]
    assert (moved["lat"], moved["lng"]) == (target["lat"], target["lng"])
    assert moved["geocoded_input"] != rows[("tix", theatre["theatre_id"])]["geocoded_input"]
    theatre_row = next(r for r in stored(tmp_path, "tix_theatres") if r["theatre_id"] == theatre["theatre_id"])
    assert (theatre_row["lat"], theatre_row["lng"]) == (moved["lat"], moved["lng"])
    assert {k: r for k, r in by_place(tmp_path).items() if k != ("tix", theatre["theatre_id"])} == {
        k: r for k, r in rows.items() if k != ("tix", theatre["theatre_id"])}


def test_429_and_5xx_are_retried_with_backoff(replica, tmp_path):
    seed_places(tmp_path / "cineradar.db", replica.truth(), tix_cities={"AMBON", "BANDUNG"},
                repertuary_cities={"krakow"})
    replica.knobs.update({"faults": ["429_storm:site=nominatim,at=1+2,seconds=1", "5xx:site=nominatim,at=4+5"]})
    stats = geocode(replica, tmp_path, "cities=AMBON,BANDUNG,krakow")
    log = sent(replica)
    assert [e["status"] for e in log[:2]] == [429, 429] and log[2]["status"] == 200
    assert log[0]["path"] == log[1]["path"] == log[2]["path"]
    assert log[1]["t"] - log[0]["t"] >= 1.0 and log[2]["t"] - log[1]["t"] >= 1.0  # Retry-After: 1 honoured
    failed = [i for i, e in enumerate(log) if e["status"] == 503]
    assert len(failed) == 2 and log[failed[-1] + 1]["path"] == log[failed[0]]["path"]  # the same query again
    assert stats["cineradar/outcome/status"] == "success" and stats["retry/count"] >= 4
    rows = by_place(tmp_path)
    assert len(rows) == 7 and all(r["status"] in ("found", "not_found", "refused") for r in rows.values())


def test_a_failing_geocoder_never_loses_what_was_geocoded(replica, tmp_path):
    seed_places(tmp_path / "cineradar.db", replica.truth())
    # Requests 6 onwards fail for good (503 through every retry): 5 places decided, the rest not
    replica.knobs.update({"faults": [f"5xx:site=nominatim,at={'+'.join(map(str, range(6, 400)))}"]})
    stats = geocode(replica, tmp_path, returncode=3, RETRY_BACKOFF_BASE="0.05")
    assert stats["cineradar/outcome/status"] == "partial"
    first = by_place(tmp_path)
    assert 0 < len(first) < 50 and len(stored(tmp_path, "geocode_answers")) == 5
    replica.knobs.update({"faults": []})
    mark = len(replica.ctx.log)
    geocode(replica, tmp_path)
    resent = [e["path"] for e in sent(replica, mark)]
    kept = {a["query"] for a in stored(tmp_path, "geocode_answers")}
    assert len(resent) == len(kept) - 5  # only what was not answered before
    done = by_place(tmp_path)
    assert len(done) == 50 and all(done[k] == r for k, r in first.items())

    # A later address change that the failing geocoder cannot answer: the coordinates stay
    found = next(k for k, r in done.items() if k[0] == "tix" and r["status"] == "found")
    store = open_store(tmp_path / "cineradar.db")
    row = next(r for r in store.fetch("tix_theatres") if r["theatre_id"] == found[1])
    store.upsert("tix_theatres", [TixTheatre.model_validate(row | {"address": "Jl. Baru No. 1"}).row()])
    store.close()
    replica.knobs.update({"faults": ["5xx:site=nominatim,p=1"]})
    geocode(replica, tmp_path, returncode=3, RETRY_BACKOFF_BASE="0.05")
    assert by_place(tmp_path)[found] == done[found]
    theatre = next(r for r in stored(tmp_path, "tix_theatres") if r["theatre_id"] == found[1])
    assert (theatre["lat"], theatre["lng"]) == (done[found]["lat"], done[found]["lng"])
    # answered now, but not found: still the coordinates of before, with the new status and why
    replica.knobs.update({"faults": []})
    geocode(replica, tmp_path)
    after = by_place(tmp_path)[found]
    assert after["status"] == "not_found" and (after["lat"], after["lng"]) == (done[found]["lat"], done[found]["lng"])
    assert after["located_query"] == done[found]["located_query"] != after["queries"][0]


def test_the_public_service_is_not_used_without_a_contact(replica, tmp_path):
    seed_places(tmp_path / "cineradar.db", replica.truth(), tix_cities={"AMBON"}, repertuary_cities=set())
    urls = replica.urls | {"nominatim": "https://nominatim.openstreetmap.org"}
    stats = run_crawl("geocode", urls, tmp_path, returncode=1)
    assert "GEOCODER_CONTACT" in stats["cineradar/outcome/failed"] and stats.get("downloader/request_count", 0) == 0
    stats = run_crawl("geocode", urls, tmp_path, returncode=1,
                      settings={"GEOCODER_CONTACT": "ops@example.org", "GEOCODER_RATE_LIMIT": "5"})
    assert "usage policy" in stats["cineradar/outcome/failed"]


def test_a_403_stops_the_crawl_at_once(replica, tmp_path):
    seed_places(tmp_path / "cineradar.db", replica.truth(), tix_cities={"JAKARTA"}, repertuary_cities=set())
    replica.knobs.update({"faults": ["5xx:site=nominatim,status=403,at=3"]})  # blocked by the service
    stats = geocode(replica, tmp_path, returncode=1)
    assert "403" in stats["cineradar/outcome/failed"]
    assert len(sent(replica)) == 3  # nothing after the refusal
    assert len(stored(tmp_path)) == 2  # what was decided before it is kept


def test_requery_days_asks_again_only_old_not_found_answers(replica, tmp_path):
    seed_places(tmp_path / "cineradar.db", replica.truth(), tix_cities={"JAKARTA"}, repertuary_cities=set())
    geocode(replica, tmp_path)
    missing = [r for r in stored(tmp_path) if r["status"] == "not_found"]
    assert missing  # the tiny preset's Jakarta has theatres the geocoder does not know
    old = (dt.datetime.now(dt.UTC) - dt.timedelta(days=100)).isoformat()
    store = open_store(tmp_path / "cineradar.db")
    store.conn.execute("UPDATE geocode_answers SET answered_at = ? WHERE status = 'not_found'", (old,))
    store.conn.commit()
    store.close()
    mark = len(replica.ctx.log)
    geocode(replica, tmp_path, "requery_days=200")  # not old enough: nothing
    assert sent(replica, mark) == []
    geocode(replica, tmp_path, "requery_days=90")
    assert len(sent(replica, mark)) == len(missing)  # each old "not found" once; found ones never
    mark = len(replica.ctx.log)
    geocode(replica, tmp_path, "requery_days=90")  # answered again just now: kept
    assert sent(replica, mark) == []


def test_a_city_without_a_box_is_said_not_guessed(replica, tmp_path):
    seed_places(tmp_path / "cineradar.db", replica.truth(), tix_cities={"AMBON"}, repertuary_cities=set())
    store = open_store(tmp_path / "cineradar.db")
    [row] = store.fetch("tix_theatres")
    store.upsert("tix_theatres", [TixTheatre.model_validate(row | {"theatre_id": "77", "city": "NUSANTARA"}).row()])
    store.close()
    stats = geocode(replica, tmp_path, returncode=3)
    assert stats["cineradar/geocode/unplaceable"] == 1 and len(sent(replica)) == 1
    assert listed(tmp_path) == {"unplaceable": {("tix", "77")}}
