"""Save the TIX.id fixtures under tests/fixtures/tix/ from the replica (run by hand, not a test).

    .venv/bin/python tests/tix/save_fixtures.py

Tiny preset, seed 1, day 2026-01-15 with the clock at 05:00 WIB (nothing started), except
the EXPIRED_EVENT_DETAIL answer, fetched with the clock at 23:59. The files are the
replica's bodies byte for byte; hand-written variants (documented shapes the replica does
not serve) live beside them with a ``doc_`` prefix.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from replica.core import JAKARTA  # noqa: E402
from replica.server import Replica  # noqa: E402

OUT = ROOT / "tests" / "fixtures" / "tix"
DAY = dt.date(2026, 1, 15)
APP = {"platform": "web", "lang": "en", "app_version": "1.0.0", "device_id": "null", "session_id": "null",
       "Content-Type": "application/json"}


def call(url: str, *, token: str | None = None, body: dict | None = None) -> tuple[int, bytes]:
    headers = dict(APP) | ({"Authorization": f"Bearer {token}"} if token else {})
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers=headers, method="POST" if data else "GET")
    try:
        with urllib.request.urlopen(request) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def save(name: str, body: bytes) -> None:
    (OUT / name).write_bytes(body)
    print(f"{name}: {len(body)} bytes")


def main() -> None:
    with Replica(preset="tiny", date=DAY, now=dt.datetime.combine(DAY, dt.time(5), JAKARTA)) as replica:
        api = replica.urls["tix_api"]
        guest = json.loads(call(f"{api}/v1/auth", body={"client_id": "tixid_guest"})[1])["data"]["token"]
        login = json.loads(call(f"{api}/v1/users/login", body={"phone_number": "81234567890",
                                                               "password": "replica-password"})[1])["data"]
        truth = replica.truth("tix")
        jakarta = next(c["id"] for c in truth["cities"] if c["name"] == "JAKARTA")
        save("movies_jakarta.json", call(f"{api}/v1/movies?city_id={jakarta}&movie_type=NOW_PLAYING&timezone=7",
                                         token=guest)[1])
        # The movie with the most Jakarta theatres: more than one E4 page.
        counts: dict[str, set[str]] = {}
        for st in truth["showtimes"]:
            if st["city"] == "JAKARTA":
                counts.setdefault(st["movie_id"], set()).add(st["theatre_id"])
        movie = max(counts, key=lambda m: (len(counts[m]), m))
        base = f"{api}/v1/schedules/movies/{movie}?city_id={jakarta}&date={DAY}"
        save("schedule_jakarta_page1.json", call(base, token=guest)[1])
        save("schedule_jakarta_page2.json", call(f"{base}&page=2", token=guest)[1])
        for merchant, path in (("XXI", "xxi"), ("CGV", "cgv"), ("Cinépolis", "cinepolis")):
            sid = next(st["showtime_id"] for st in truth["showtimes"] if st["merchant"] == merchant)
            save(f"layout_{path}.json", call(f"{api}/v1/movies/{path}/layout?show_time_id={sid}&tz=7",
                                             token=login["token"])[1])
        sid = truth["showtimes"][0]["showtime_id"]
        path = {"XXI": "xxi", "CGV": "cgv", "Cinépolis": "cinepolis"}[truth["showtimes"][0]["merchant"]]
        replica.clock.set(dt.datetime.combine(DAY, dt.time(23, 59), JAKARTA))
        late = json.loads(call(f"{api}/v1/users/login", body={"phone_number": "81234567890",
                                                              "password": "replica-password"})[1])["data"]
        save("layout_started_401.json", call(f"{api}/v1/movies/{path}/layout?show_time_id={sid}&tz=7",
                                             token=late["token"])[1])
        save("layout_guest_401.json", call(f"{api}/v1/movies/{path}/layout?show_time_id={sid}&tz=7",
                                           token=guest)[1])


if __name__ == "__main__":
    main()
