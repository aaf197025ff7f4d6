"""Retry-After honoured in a real crawl: tix_seats in a 30% 429 storm, timed at the replica's request log."""

from __future__ import annotations

import json
from collections import defaultdict

from tests.tix.helpers import crawl, open_store, seed_token

RETRY_AFTER = 2  # seconds, the replica's Retry-After in this storm


def test_no_retry_before_retry_after_in_a_429_storm(replica, tmp_path):
    keys = ("showtime_id", "movie_id", "theatre_id", "city", "merchant", "room_category", "date", "time")
    rows = [{k: s[k] for k in keys} for s in replica.truth("tix")["showtimes"][:40]]
    path = tmp_path / "showtimes.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))
    seed_token(tmp_path / "cineradar.db", replica.urls["tix_api"])
    replica.ctx.log.clear()
    replica.knobs.update({"faults": [f"429_storm:p=0.3,site=tix_api,path=/layout,seconds={RETRY_AFTER}"]})
    result = crawl("tix_seats", replica.urls, tmp_path, f"showtimes={path}", check=False, timeout=180)

    by_url: dict[str, list[dict]] = defaultdict(list)
    for entry in replica.ctx.log:
        if "/layout" in entry["path"]:
            by_url[entry["path"]].append(entry)
    storms = gaps = 0
    early: list[float] = []
    for entries in by_url.values():
        for before, after in zip(entries, entries[1:], strict=False):
            if before["status"] == 429:
                gaps += 1
                if after["t"] - before["t"] < RETRY_AFTER:
                    early.append(round(after["t"] - before["t"], 3))
        storms += sum(e["status"] == 429 for e in entries)
    given_up = result["stats"].get("retry/max_reached", 0)
    snapshots = len(open_store(tmp_path / "cineradar.db").fetch("tix_seat_snapshots"))
    assert (storms > 5, gaps == storms - given_up, early, snapshots == len(rows) - given_up) \
        == (True, True, [], True), (storms, gaps, given_up, snapshots, result["log"][-2000:])
