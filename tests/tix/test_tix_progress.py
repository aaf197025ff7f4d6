"""A real tix_seats crawl against the replica (with latency) logs progress lines whose total is
the number of seat layouts the replica served, and whose done count climbs with an ETA."""

from __future__ import annotations

import json
import re

from tests.tix.helpers import DAY, crawl, seed_token


def test_a_seat_crawl_logs_progress_counted_at_the_replica(replica, tmp_path):
    showtimes = [{k: s[k] for k in ("showtime_id", "movie_id", "theatre_id", "city", "merchant", "room_category",
                                    "date", "time")} for s in replica.truth("tix")["showtimes"][:24]]
    path = tmp_path / "showtimes.jsonl"
    path.write_text("".join(json.dumps(row) + "\n" for row in showtimes))
    seed_token(tmp_path / "cineradar.db", replica.urls["tix_api"])
    replica.knobs.update({"latency_ms": 400})  # 24 layouts, 2 at a time: about 5 s
    replica.ctx.log.clear()
    result = crawl("tix_seats", replica.urls, tmp_path, f"showtimes={path}", timeout=120,
                   settings={"PROGRESS_INTERVAL": "0.5", "TIX_SEATS_CONCURRENCY": "2"})
    served = {e["path"] for e in replica.ctx.log if "/layout" in e["path"]}
    pattern = (r"progress: (?P<done>\d+)/(?P<total>\d+) seat layouts \(\d+%\)(?P<eta>, ETA \w+)?; "
               r"items: (?:none yet|tix_seat_snapshots (?P<items>\d+)); errors \d+")
    lines = [m.groupdict() for m in re.finditer(pattern, result["log"])]
    done = [int(line["done"]) for line in lines]
    assert (len(served), {int(line["total"]) for line in lines}) == (24, {24}), result["log"][-3000:]
    assert done == sorted(done) and any(0 < int(line["done"]) < 24 and line["eta"] for line in lines), lines
    assert all(int(line["items"] or 0) <= int(line["done"]) for line in lines), lines


def test_a_movies_crawl_counts_a_city_done_once_its_schedules_end_even_failed(replica, tmp_path):
    # Later schedule pages answer success:false and are not retried: their chains
    # end failed, and each city is still done exactly once.
    replica.knobs.update({"latency_ms": 100, "faults": ["success_false:p=1,site=tix_api"]})
    replica.ctx.log.clear()
    result = crawl("tix_movies", replica.urls, tmp_path, "cities=AMBON,BANDUNG,JAKARTA", f"date={DAY}",
                   check=False, timeout=120, settings={"PROGRESS_INTERVAL": "0.3", "TIX_PAYLOAD_RETRIES": "0",
                                                   "RETRY_TIMES": "0"})
    stats = result["stats"]
    cities = {re.search(r"city_id=(\w+)", e["path"])[1] for e in replica.ctx.log if e["path"].startswith("/v1/movies")}
    lines = [tuple(map(int, m.groups())) for m in re.finditer(r"progress: (\d+)/(\d+) cities", result["log"])]
    assert (stats.get("cineradar/tix/movies/pages_failed", 0) > 0, len(cities), stats["progress/done"],
            stats["progress/total"]) == (True, 3, 3, 3), {k: v for k, v in stats.items() if "tix" in k}
    assert lines and all(d <= t == 3 for d, t in lines), lines
