"""`scrapy web` in real Chromium over a store filled by real crawls of the replica: every page loads
clean (no console error, no failed request), passes axe-core (no serious or critical violation),
fits 375 px and 1440 px, and shows the store's figures (and, for the crawled day, the replica's)."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from typing import Any

import pytest

from tests.web.conftest import AXE, SCREENSHOTS
from tests.web.demo_store import DAY

pytestmark = pytest.mark.e2e
WIDTHS = (1440, 375)


def latest_morning(store: Any, day: str) -> list[dict[str, Any]]:
    """Computed here from fetch(), independently of the web's queries: one snapshot per showtime."""
    latest: dict[str, dict[str, Any]] = {}
    for s in store.fetch("tix_seat_snapshots", {"date": day, "mode": "morning"}):
        if s["showtime_id"] not in latest or s["scraped_at"] > latest[s["showtime_id"]]["scraped_at"]:
            latest[s["showtime_id"]] = s
    return list(latest.values())


def pages(store: Any) -> dict[str, str]:
    """Every page of the app, with real ids from the store."""
    runs = store.fetch("crawl_runs")
    snaps = store.fetch("tix_seat_snapshots", {"date": DAY.isoformat()})
    theatre = store.fetch("tix_theatres")[0]
    movie = store.fetch("tix_movies", {"date": DAY.isoformat()})[0]
    film = next(m for m in store.fetch("tmdb_matches") if m["listing_source"] == "repertuary"
                and m["status"] == "matched")
    return {
        "today": "/", "run": f"/runs/{runs[0]['run_id']}", "tix-day": f"/tix/{DAY}",
        "showtime": f"/showtimes/{snaps[0]['showtime_id']}", "theatres": "/theatres",
        "theatre": f"/theatres/{theatre['theatre_id']}", "movies": "/movies",
        "movie-tix": f"/movies/tix/{movie['movie_id']}",
        "movie-repertuary": f"/movies/repertuary/{film['listing_key']}",
        "repertuary": "/repertuary", "review": "/review", "data": "/data", "data-entity": "/data/tix_showtimes",
        "login": "/login",
    }


def visit(browser: Any, url: str, width: int) -> tuple[Any, Any, list[str]]:
    """Open ``url`` in a fresh context ``width`` px wide; the page and every problem seen loading it."""
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=True)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("requestfailed", lambda r: problems.append(f"failed: {r.url} {r.failure}"))
    page.on("response", lambda r: problems.append(f"HTTP {r.status}: {r.url}") if r.status >= 400 else None)
    page.goto(url, wait_until="networkidle")
    return context, page, problems


def serious_violations(page: Any) -> list[str]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def cells(page: Any, table_id: str) -> list[list[str]]:
    return page.evaluate(
        """id => [...document.querySelectorAll(`#${id} tbody tr`)].map(
               tr => [...tr.querySelectorAll('th, td')].map(c => c.textContent.trim()))""", table_id)


def num(text: str) -> float:
    return float(text.replace(",", ""))


# ----------------------------------------------------------------------------- every page
def test_every_page_loads_clean_accessible_and_fits_both_widths(server, browser, store):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    failures: dict[str, list[str]] = {}
    for name, path in pages(store).items():
        for width in WIDTHS:
            context, page, problems = visit(browser, server.rstrip("/") + path, width)
            try:
                assert page.title().endswith("CineRadar"), (name, page.title())
                overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
                if overflow > 1:
                    problems.append(f"{overflow}px wider than the {width}px window")
                problems += serious_violations(page)
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
            finally:
                context.close()
            if problems:
                failures[f"{name} @{width}"] = problems
    assert not failures, json.dumps(failures, indent=1)


# ----------------------------------------------------------------------------- figures
def test_tix_day_figures_equal_the_store_and_the_replica(server, browser, store, demo):
    day = DAY.isoformat()
    snaps = latest_morning(store, day)
    showtimes = store.fetch("tix_showtimes", {"date": day})
    context, page, problems = visit(browser, f"{server}tix/{day}", 1440)
    try:
        kpis = {b.get_attribute("data-k"): num(b.text_content()) for b in page.locator("#totals b").all()}
        by_chain = {r[0]: [num(x) for x in r[1:]] for r in cells(page, "by-chain")}
        by_city = {r[0]: [num(x) for x in r[1:]] for r in cells(page, "by-city")}
        prices = {(r[0], r[1]): (num(r[2]), num(r[3])) for r in cells(page, "prices")}
        presales = page.locator("#presales li a").all_text_contents() if page.locator("#presales").count() else []
        source = page.locator("#source").text_content()
    finally:
        context.close()
    assert not problems
    assert "as the daily summary stored it" in source  # the lines below are the stored summary's
    audience = sum(s["unavailable_seats"] for s in snaps)
    seats = sum(s["total_seats"] for s in snaps)
    assert kpis["showtimes"] == len(showtimes) and kpis["snapshotted"] == len(snaps)
    assert (kpis["audience"], kpis["seats"]) == (audience, seats)
    assert kpis["occupancy_pct"] == round(audience / seats * 100, 1)
    assert kpis["theatres"] == len({s["theatre_id"] for s in showtimes})
    assert kpis["movies"] == len(store.fetch("tix_movies", {"date": day}))
    for key, table in (("merchant", by_chain), ("city", by_city)):
        expected: dict[str, list[float]] = defaultdict(lambda: [0, 0, 0])
        for s in snaps:
            line = expected[s[key]]
            line[0] += 1
            line[1] += s["unavailable_seats"]
            line[2] += s["total_seats"]
        assert {k: v[:3] for k, v in table.items()} == {k: [float(x) for x in v] for k, v in expected.items()}
        assert all(v[3] == round(v[1] / v[2] * 100, 1) for v in table.values())
    # the stored daily summary says the same per chain
    summary = store.fetch("tix_daily_summaries", {"date": day})[0]
    assert {c["merchant"]: [c["showtimes"], c["audience"], c["seats"], c["occupancy_pct"]] for c in summary["chains"]} \
        == {k: [int(v[0]), int(v[1]), int(v[2]), v[3]] for k, v in by_chain.items()}
    low: dict[tuple[str, str], int] = {}
    high: dict[tuple[str, str], int] = {}
    for s in showtimes:
        if s["price_min"] is not None:
            k = (s["merchant"], s["room_category"])
            low[k] = min(low.get(k, s["price_min"]), s["price_min"])
            high[k] = max(high.get(k, s["price_max"]), s["price_max"])
    assert prices == {k: (float(low[k]), float(high[k])) for k in low}
    assert sorted(presales) == sorted(m["title"] for m in store.fetch("tix_movies", {"date": day}) if m["is_presale"])
    # and the replica's truth: the seats it served for the day's showtimes
    truth = demo["truth"]["tix"]
    crawled = {s["showtime_id"] for s in showtimes}
    served = {sid: s for sid, s in truth["seats"].items() if sid in crawled}
    assert len(served) == len(snaps)
    assert audience == sum(s["unavailable"] for s in served.values())
    assert seats == sum(s["total"] for s in served.values())


def test_today_cards_and_history_equal_the_stored_runs(server, browser, store):
    runs = store.fetch("crawl_runs")
    context, page, problems = visit(browser, server, 1440)
    try:
        history = cells(page, "runs")
        cards = page.locator(".card").all_text_contents()
        context_failed = browser.new_context(viewport={"width": 1440, "height": 900})
        failed_page = context_failed.new_page()
        failed_page.goto(f"{server}?status=failed")
        failed_rows = cells(failed_page, "runs")
        context_failed.close()
    finally:
        context.close()
    assert not problems
    assert len(history) == len(runs)
    assert Counter(r[1] for r in history) == Counter(r["spider"] for r in runs)
    assert Counter(r[2].lower() for r in history) == Counter(r["status"] for r in runs)
    assert len(failed_rows) == sum(1 for r in runs if r["status"] == "failed")
    items = {r["spider"]: sum(r["items"].values()) for r in runs}
    text = " ".join(cards)
    for spider, count in items.items():
        assert f"{count:,} items" in text, spider


def test_theatres_repertuary_and_explorer_counts_equal_the_store(server, browser, store):
    theatres = store.fetch("tix_theatres")
    chain = theatres[0]["merchant"]
    shows = store.fetch("repertuary_showtimes", {"city": "krakow"})
    start = min(s["date"] for s in shows)
    checks = {}
    for path in ("theatres", f"theatres?chain={chain}", f"repertuary?city=krakow&start={start}", "data"):
        context, page, problems = visit(browser, server + path, 1440)
        try:
            assert not problems, problems
            if path == "theatres":
                checks["all"] = len(cells(page, "theatres"))
            elif path.startswith("theatres?"):
                checks["chain"] = len(cells(page, "theatres"))
            elif path.startswith("repertuary"):
                checks["week"] = num(page.locator("#week-showtimes").text_content())
                checks["per_day"] = [num(x) for x in page.locator("#week tfoot td").all_text_contents()]
                checks["coverage"] = cells(page, "coverage")
            else:
                checks["entities"] = {r[0]: num(r[1]) for r in cells(page, "entities")}
        finally:
            context.close()
    assert checks["all"] == len(theatres)
    assert checks["chain"] == sum(1 for t in theatres if t["merchant"] == chain)
    import datetime as dt

    days = [(dt.date.fromisoformat(start) + dt.timedelta(days=i)).isoformat() for i in range(7)]
    per_day = Counter(s["date"] for s in shows)
    assert checks["per_day"] == [per_day.get(d, 0) for d in days]
    assert checks["week"] == sum(per_day.get(d, 0) for d in days)
    krakow = next(r for r in checks["coverage"] if r[0] == "krakow")
    assert krakow[8] == f"{sum(1 for d in days if per_day.get(d))}/7"
    from cineradar.backends import SPECS

    assert checks["entities"] == {s.name: store.count(s.name) for s in SPECS}


def test_showtime_page_shows_every_snapshot_and_draws_the_layout(server, browser, store):
    snap = max(store.fetch("tix_seat_snapshots", {"date": DAY.isoformat()}), key=lambda s: s["unavailable_seats"])
    context, page, problems = visit(browser, f"{server}showtimes/{snap['showtime_id']}", 1440)
    try:
        rows = cells(page, "snapshots")
        names = page.locator("svg.seatmap text.row-name").all_text_contents()
        free = page.locator("svg.seatmap rect.seat-free").count()
        taken = page.locator("svg.seatmap rect.seat-taken").count()
    finally:
        context.close()
    assert not problems
    stored = store.fetch("tix_seat_snapshots", {"showtime_id": snap["showtime_id"]})
    assert len(rows) == len(stored)
    assert names == [row for row, _ in snap["layout"]]
    assert (free, taken) == (snap["available_seats"], snap["unavailable_seats"])


def test_a_real_captured_layout_draws_its_real_row_names(server, browser, demo):
    """The real XXI capture of docs/sources/tix.md#layout-shapes (AMBON CITY CENTER XXI, 2025-12-23):
    rows A-H, J, K (no I) of 16 seats, 99 with status 6 and 61 with status 5: parsed by the crawler's
    own parser, stored, and drawn with those row names and every seat taken."""
    from cineradar.items import TixSeatSnapshot
    from cineradar.parsers import tix as tix_parsers
    from tests.conftest import open_store

    rows = list("ABCDEFGHJK")
    statuses = iter([6] * 99 + [5] * 61)
    body = {"success": True, "data": {"seat_map": [
        {"seat_code": r, "max_row": 16, "seat_rows": [{"seat_row": f"{r}{i}", "status": next(statuses)}
                                                        for i in range(1, 17)]} for r in rows]}}
    occupancy = tix_parsers.parse_layout(body)
    counts = {"total_seats": occupancy.total_seats, "unavailable_seats": occupancy.unavailable_seats,
              "available_seats": occupancy.available_seats, "occupancy_pct": occupancy.occupancy_pct,
              "layout": [[name, codes] for name, codes in occupancy.layout]}
    snapshot = TixSeatSnapshot.model_validate({
        "snapshot_id": "9000000000000000001_morning_1335", "showtime_id": "9000000000000000001", "mode": "morning",
        "scraped_at": "2025-12-23T13:35:00+07:00", "date": "2025-12-23", "time": "13:35", "merchant": "XXI",
        "theatre_name": "AMBON CITY CENTER XXI", "city": "AMBON", "room_category": "2D",
        **counts}).row()
    store = open_store(demo["db"])
    store.upsert("tix_seat_snapshots", [snapshot])
    store.close()
    context, page, problems = visit(browser, f"{server}showtimes/9000000000000000001", 1440)
    try:
        names = page.locator("svg.seatmap text.row-name").all_text_contents()
        taken = page.locator("svg.seatmap rect.seat-taken").count()
        free = page.locator("svg.seatmap rect.seat-free").count()
        page.screenshot(path=str(SCREENSHOTS / "showtime-real-xxi-1440.png"), full_page=True)
    finally:
        context.close()
    assert not problems
    assert names == rows and "I" not in names
    assert (taken, free) == (160, 0)


def test_theatre_map_draws_each_geocoded_theatre_by_chain_on_the_outline(server, browser, demo):
    """Two theatres given coordinates as geocoding would store them: two dots, in their chains'
    colours, on Indonesia's outline; the others are counted as not geocoded."""
    from cineradar.web.geo import CHAIN_COLOURS
    from tests.conftest import open_store

    store = open_store(demo["db"])
    theatres = store.fetch("tix_theatres")
    picked = [next(t for t in theatres if t["merchant"] == chain) for chain in ("XXI", "CGV")]
    coords = [(-3.6954, 128.1814), (1.4748, 124.8421)]  # Ambon, Manado
    store.upsert("tix_theatres", [t | {"lat": lat, "lng": lng} for t, (lat, lng) in zip(picked, coords, strict=True)])
    store.close()
    context, page, problems = visit(browser, f"{server}theatres", 1440)
    try:
        dots = page.evaluate("""() => [...document.querySelectorAll('svg.map circle.theatre')].map(
                                    c => [c.querySelector('title').textContent, c.getAttribute('fill')])""")
        outline = page.locator("svg.map path.outline").get_attribute("d") or ""
        caption = page.locator("figcaption").text_content()
        page.screenshot(path=str(SCREENSHOTS / "theatres-map-1440.png"), full_page=True)
    finally:
        context.close()
    assert not problems
    assert sorted(dots) == sorted([f"{t['name']} ({t['merchant']}, {t['city']})", CHAIN_COLOURS[t["merchant"]]]
                                  for t in picked)
    assert outline.count("M") > 50  # the islands
    assert caption.startswith(f"2 of {len(theatres)} theatres have coordinates") and "Natural Earth" in caption
    assert "© OpenStreetMap contributors" in caption  # coordinates are shown: their attribution too


# ----------------------------------------------------------------------------- TMDB posters
def poster_url(demo: dict[str, Any], size: str, path: str) -> str:
    """The replica's image host (ENDPOINTS' tmdb_image, ``.../t/p/original``) at ``size``."""
    return f"{demo['replica'].urls['tmdb_image'].rsplit('/', 1)[0]}/{size}{path}"


def images(page: Any, selector: str) -> list[dict[str, Any]]:
    """Every image under ``selector`` once loaded: its src, alt and natural size."""
    page.wait_for_function(f"[...document.querySelectorAll({json.dumps(selector)})].every(i => i.complete)")
    return page.evaluate(f"""[...document.querySelectorAll({json.dumps(selector)})].map(
        i => ({{src: i.getAttribute('src'), alt: i.alt, width: i.naturalWidth, height: i.naturalHeight}}))""")


def test_stored_poster_paths_equal_the_replicas(store, demo):
    truth = {m["id"]: m["poster_path"] for m in demo["truth"]["tmdb"]["movies"]}
    rows = store.fetch("tmdb_movies")
    assert rows and sum(1 for r in rows if r["poster_path"]) > len(rows) / 2
    assert {r["tmdb_id"]: r["poster_path"] for r in rows} == {r["tmdb_id"]: truth[r["tmdb_id"]] for r in rows}
    candidates = [c for m in store.fetch("tmdb_matches") for c in m["candidates"]]
    assert candidates and all(c["poster_path"] == truth[c["tmdb_id"]] for c in candidates)


def test_tmdb_poster_loads_on_the_movie_page(server, browser, store, demo):
    movie = max((r for r in store.fetch("tmdb_movies") if r["poster_path"]), key=lambda r: r["popularity"] or 0)
    context, page, problems = visit(browser, f"{server}movies/tmdb/{movie['tmdb_id']}", 1440)
    try:
        shown = images(page, "img#tmdb-poster")
        problems += serious_violations(page)
        page.screenshot(path=str(SCREENSHOTS / "movie-tmdb-poster-1440.png"), full_page=True)
    finally:
        context.close()
    assert not problems, problems
    assert [s["src"] for s in shown] == [poster_url(demo, "w185", movie["poster_path"])]
    assert shown[0]["width"] == 185 and shown[0]["height"] > 0  # decoded: the image host served a real image
    assert shown[0]["alt"] == f"Poster of {movie['title']} (TMDB)"


def test_candidate_posters_load_in_the_review_queue(server, browser, demo):
    """A listing waiting for review (written here, so the review tests deciding the crawled ones do not
    matter) whose candidates are: two as tmdb_match stores them (with their poster_path), one stored
    before candidates kept it (its poster comes from tmdb_movies) and one TMDB has no poster for."""
    from cineradar.items import TmdbMatch
    from tests.conftest import open_store

    store = open_store(demo["db"])
    movies = {r["tmdb_id"]: r for r in store.fetch("tmdb_movies")}
    kept = [c for m in store.fetch("tmdb_matches") for c in m["candidates"] if c["poster_path"]][:2]
    older = next(m for i, m in movies.items() if m["poster_path"] and i not in {c["tmdb_id"] for c in kept})
    candidates = [*kept, {"tmdb_id": older["tmdb_id"], "title": older["title"], "year": 2020, "score": 55.0},
                  {"tmdb_id": 999_999_991, "title": "No Poster Anywhere", "year": 2021, "score": 51.0,
                   "poster_path": None}]
    row = TmdbMatch.model_validate({"listing_source": "repertuary", "listing_key": "poster-test",
                                    "listing_title": "Poster test", "confidence": 0.55, "status": "needs_review",
                                    "candidates": candidates}).row()
    store.upsert("tmdb_matches", [row])
    store.close()
    wanted = [poster_url(demo, "w92", c["poster_path"]) for c in kept] + [poster_url(demo, "w92", older["poster_path"])]
    context, page, problems = visit(browser, f"{server}review", 375)
    try:
        listing = "#listing-repertuary-poster-test"
        shown = images(page, f"{listing} .candidate img")
        missing = page.locator(f"{listing} .candidate .no-poster").all_text_contents()
        every = images(page, ".candidate img")
        problems += serious_violations(page)
        page.screenshot(path=str(SCREENSHOTS / "review-posters-375.png"), full_page=True)
    finally:
        context.close()
    assert not problems, problems
    assert [s["src"] for s in shown] == wanted and missing == ["No poster"]
    assert [s["alt"] for s in shown] == [f"Poster of {c['title']} ({c['year'] or 'year unknown'})" for c in kept] + [
        f"Poster of {older['title']} (2020)"]
    assert all(s["width"] == 92 and s["height"] > 0 for s in every)  # every poster of the queue decoded
