"""Valid items of every entity, for the storage tests and the benchmark.

``sample_items(n)`` builds ``n`` distinct items per entity (validated pydantic models),
touching every column kind: ISO dates, datetimes with +07:00 / +01:00 / Z offsets and
microseconds, nulls, unicode, '/' in keys, nested lists/dicts (incl. the seat layout's
list-in-list). ``showtime_rows(n)`` makes n TixShowtime rows fast (for benchmarks).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from cineradar import items as m

WIB = dt.timezone(dt.timedelta(hours=7))
CET = dt.timezone(dt.timedelta(hours=1))
DAY = dt.date(2026, 1, 15)
CITIES = ["JAKARTA", "BANDUNG", "SURABAYA"]
MERCHANTS = ["XXI", "CGV", "Cinépolis"]
ROOMS = ["2D", "IMAX 2D", "SATIN 2D", "VELVET.SUITE"]


def _stamp(i: int, tz: dt.tzinfo = WIB) -> dt.datetime:
    return dt.datetime(2026, 1, 15, 10, 0, tzinfo=tz) + dt.timedelta(minutes=37 * i, microseconds=1234 * (i % 3))


def tix_movie(i: int, day: dt.date = DAY) -> m.TixMovie:
    return m.TixMovie(date=day, movie_id=str(1000 + i), title=f"Film {i} — Ñandú", genres=["Drama", "Horror"][: i % 3],
                      poster_url=None if i % 2 else f"https://img.example/p/{i}.jpg", age_category="R13+",
                      country="Indonesia", merchants=MERCHANTS[: 1 + i % 3], cities=CITIES[: 1 + i % 3],
                      is_presale=i % 4 == 0)


def tix_theatre(i: int, rooms: list[str] | None = None) -> m.TixTheatre:
    return m.TixTheatre(theatre_id=str(900000 + i), name=f"MALL {i} XXI", merchant=MERCHANTS[i % 3],
                        city=CITIES[i % 3], address=None if i % 3 == 0 else f"Jl. Sudirman No. {i}",
                        room_types=rooms if rooms is not None else ROOMS[: 1 + i % 4], last_seen=DAY)


def tix_showtime(i: int, day: dt.date = DAY, movies: int = 5, theatres: int = 7) -> m.TixShowtime:
    starts = dt.datetime.combine(day, dt.time(10, 0), WIB) + dt.timedelta(minutes=15 * (i % 50))
    return m.TixShowtime(showtime_id=str(2_000_000_000 + i), movie_id=str(1000 + i % movies),
                         theatre_id=str(900000 + i % theatres), city=CITIES[(i % theatres) % 3],
                         merchant=MERCHANTS[(i % theatres) % 3], room_category=ROOMS[i % 4],
                         price=None if i % 5 == 0 else f"Rp{35 + i % 20}.000", date=day,
                         time=starts.strftime("%H:%M"), starts_at=starts, status=i % 3, is_available=i % 2 == 0)


def tix_seat_snapshot(i: int) -> m.TixSeatSnapshot:
    return m.TixSeatSnapshot(snapshot_id=f"{2_000_000_000 + i}_morning_0640", showtime_id=str(2_000_000_000 + i),
                             mode="morning", scraped_at=_stamp(i), date=DAY, time="19:30",
                             movie_id=str(1000 + i % 5), movie_title="Film", theatre_id=str(900000 + i % 7),
                             theatre_name="MALL XXI", city="JAKARTA", merchant="XXI", room_category=None,
                             total_seats=10, unavailable_seats=3, available_seats=7, occupancy_pct=30.0,
                             layout=[("A", [1, 0, 1, 1, 0]), ("B", [1, 1, 1, 0, 1]), ("", [])])


def tix_seat_failure(i: int) -> m.TixSeatFailure:
    return m.TixSeatFailure(failure_id=f"{2_100_000_000 + i}_jit_1905", showtime_id=str(2_100_000_000 + i),
                            mode="jit", scraped_at=_stamp(i, dt.UTC), date=DAY, time=None if i % 2 else "19:30",
                            movie_id=None, theatre_id=str(900000 + i), merchant="CGV", reason="started",
                            detail='401 {"code": "EXPIRED_EVENT_DETAIL"}')


def tix_daily_summary(i: int) -> m.TixDailySummary:
    return m.TixDailySummary(date=DAY + dt.timedelta(days=i), total_audience=100 + i, total_seats=1000,
                             total_available=900 - i, occupancy_pct=round((100 + i) / 10, 1), showtime_count=40,
                             movie_count=0, theatre_count=7, city_count=3, generated_at=_stamp(i))


def tix_schedule(i: int) -> m.TixSchedule:
    theatre = {"theatre_id": str(900000 + i), "theatre_name": f"MALL {i} XXI", "merchant": "XXI", "address": None,
               "rooms": [{"category": "2D", "price": "Rp40.000", "showtimes": ["19:30"],
                          "all_showtimes": [{"time": "10:00", "status": 0, "is_available": False,
                                             "showtime_id": str(2_000_000_000 + i)},
                                            {"time": "19:30", "status": 1, "is_available": True,
                                             "showtime_id": str(2_000_000_100 + i)}],
                          "past_showtimes": ["10:00"]}]}
    return m.TixSchedule(date=DAY + dt.timedelta(days=i % 2), movie_id=str(1000 + i), title=f"Film {i}",
                         poster_url=None, genres=["Drama"], age_category="R13+", merchants=["XXI"],
                         is_presale=i % 2 == 0,
                         uploaded_at=_stamp(i, dt.UTC), cities={CITIES[i % 3]: [theatre]} if i % 4 else {})


def tix_day_snapshot(i: int) -> m.TixDaySnapshot:
    day = DAY + dt.timedelta(days=i)
    return m.TixDaySnapshot(snapshot_id="latest" if i == 0 else day.isoformat(), date=day, scraped_at=_stamp(i),
                            summary={"total_cities": 1, "total_movies": 1, "presale_count": 0},
                            movies=[{"id": "1000", "title": "Film", "cities": ["JAKARTA"],
                                     "theatre_counts": {"JAKARTA": 2}}],
                            city_stats={"JAKARTA": 1})


def repertuary_film(i: int) -> m.RepertuaryFilm:
    return m.RepertuaryFilm(city="krakow", slug=f"film-{i}", title_pl=f"Zażółć gęślą jaźń {i}",
                            original_title=f"Film {i}", director=None if i % 2 else "Agnieszka Holland",
                            year=1990 + i, countries=["Polska", "Francja"], runtime=None if i % 3 == 0 else 95 + i,
                            cast=["Anna", "Jan"], genres=[], url=f"https://www.kino.krakow.pl/film/film-{i}.html")


def repertuary_cinema(i: int) -> m.RepertuaryCinema:
    slug = f"cinema-city/bonarka-{i}" if i % 2 else f"kino-{i}"
    return m.RepertuaryCinema(city="krakow", slug=slug, name=f"Kino {i}")


def repertuary_showtime(i: int) -> m.RepertuaryShowtime:
    starts = _stamp(i, CET).replace(second=0, microsecond=0)
    return m.RepertuaryShowtime(external_id=f"krakow_kino-{i}_{starts:%Y%m%d%H%M}", city="krakow",
                                film_slug=f"film-{i}", cinema_slug="cinema-city/bonarka", date=starts.date(),
                                time=starts.strftime("%H:%M"), starts_at=starts,
                                showtime_id=None if i % 2 else str(i), ticket_url=None)


def tmdb_movie(i: int) -> m.TmdbMovie:
    return m.TmdbMovie(tmdb_id=500 + i, title=f"Movie {i}", original_title=f"Película {i}",
                       release_date=None if i % 4 == 0 else dt.date(2020 + i % 5, 1 + i % 12, 1 + i % 28),
                       runtime=100 + i, imdb_id=f"tt{1000000 + i}", original_language="es", popularity=12.0 + i / 8,
                       categories=["now_playing"], genres=["Drama"],
                       cast=[{"id": 1, "name": "Ana", "order": 0, "character": None}],
                       crew=[{"id": 2, "name": "Luis", "job": "Director", "departments": ["Directing"]}],
                       keywords=["a/b"], similar_ids=[1, 2, 3], trailer_key=None, budget=10**10 + i, revenue=0,
                       tagline=None)


def tmdb_show(i: int) -> m.TmdbShow:
    return m.TmdbShow(tmdb_id=700 + i, name=f"Show {i}", original_name=f"番組 {i}", imdb_id=None,
                      first_air_date=dt.date(2019, 5, 1), last_air_date=None, status="Ended", number_of_seasons=2,
                      number_of_episodes=20, popularity=1.5, networks=[{"id": 1, "name": "NHK"}],
                      production_companies=[], watch_providers=[{"country": "PL", "flatrate": [{"id": 8}]}])


def tmdb_match(i: int) -> m.TmdbMatch:
    return m.TmdbMatch(listing_source="repertuary" if i % 2 else "tix", listing_key=f"krakow|film-{i}",
                       listing_title=f"Film {i}", tmdb_id=None if i % 3 == 0 else 500 + i, confidence=0.5 + i / 100,
                       status="matched" if i % 3 else "no_results", candidates=[{"id": 500 + i, "score": 0.93}])


def tmdb_logo_entity(cls: type[m.TmdbLogoEntity], i: int) -> m.TmdbLogoEntity:
    return cls(tmdb_id=40 + i, name=f"{cls.logo_kind} {i}", origin_country=None if i % 2 else "PL",
               logo_path=None if i % 3 == 0 else f"/logo{i}.png",
               logo_file=None if i % 3 == 0 else f"logos/{cls.logo_kind}/{40 + i}/{'ab' * 32}.png")


def crawl_run(i: int) -> m.CrawlRun:
    return m.CrawlRun(run_id=f"2026-01-15T06-00-0{i % 10}_movies/{i}", spider="tix", status="success",
                      started_at=_stamp(i, dt.UTC), finished_at=None if i % 2 else _stamp(i + 1, dt.UTC),
                      args={"city": "JAKARTA", "days": 1}, stats={"item_scraped_count": 10 * i, "nested": {"x": [1]}})


def geocode(i: int) -> m.Geocode:
    found = i % 3 != 2
    tix = i % 2 == 0
    return m.Geocode(site="tix" if tix else "repertuary", place_key=f"90000{i}" if tix else f"krakow|kino-{i}",
                     name=f"MALL {i} XXI — Ñ", city="JAKARTA" if tix else "krakow",
                     address=f"Jl. Sudirman No. {i}" if tix else None, geocoded_input=f"jl. sudirman no. {i}|jakarta",
                     queries=[f"Jl. Sudirman No. {i}, Jakarta, Indonesia"], status="found" if found else "not_found",
                     confidence="exact" if found else None, ambiguous=i % 4 == 1,
                     lat=-6.2 + i / 1000 if found else None, lng=106.8 + i / 1000 if found else None,
                     display_name=f"Mall {i}, Jakarta, Indonesia" if found else None, osm_type="way" if found else None,
                     osm_id=123456 + i if found else None, importance=0.4 if found else None,
                     refused=[{"lat": 1.0, "lng": 2.0, "display_name": "elsewhere"}] if i % 3 == 1 else [],
                     reason=None if found else "no answer", checked_at=_stamp(i, dt.UTC))


def geocode_answer(i: int) -> m.GeocodeAnswer:
    query = f"Jl. Sudirman No. {i}, Jakarta, Indonesia"
    box = ["-6.3", "-6.1", "106.7", "106.9"]
    return m.GeocodeAnswer(query_key=f"id|{query.lower()}", query=query, countrycodes="id",
                           status="found" if i % 2 == 0 else "not_found",
                           results=[{"lat": -6.2, "lng": 106.8, "osm_type": "node", "boundingbox": box}][: 1 - i % 2],
                           answered_at=_stamp(i, dt.UTC))


FACTORIES: dict[str, Any] = {
    "tix_movies": tix_movie, "tix_theatres": tix_theatre, "tix_showtimes": tix_showtime,
    "tix_seat_snapshots": tix_seat_snapshot, "tix_seat_failures": tix_seat_failure,
    "tix_daily_summaries": tix_daily_summary, "tix_schedules": tix_schedule, "tix_day_snapshots": tix_day_snapshot,
    "repertuary_films": repertuary_film,
    "repertuary_cinemas": repertuary_cinema, "repertuary_showtimes": repertuary_showtime,
    "tmdb_movies": tmdb_movie, "tmdb_shows": tmdb_show, "tmdb_matches": tmdb_match, "crawl_runs": crawl_run,
    "tmdb_networks": lambda i: tmdb_logo_entity(m.TmdbNetwork, i),
    "tmdb_companies": lambda i: tmdb_logo_entity(m.TmdbCompany, i),
    "tmdb_watch_providers": lambda i: tmdb_logo_entity(m.TmdbWatchProvider, i),
    "geocodes": geocode, "geocode_answers": geocode_answer,
}


def sample_items(n: int = 3) -> list[m.CineItem]:
    return [factory(i) for factory in FACTORIES.values() for i in range(n)]


def sample_rows(n: int = 3) -> dict[str, list[dict[str, Any]]]:
    rows: dict[str, list[dict[str, Any]]] = {}
    for item in sample_items(n):
        rows.setdefault(item.entity, []).append(item.row())
    return rows


def showtime_rows(n: int, day: dt.date = DAY) -> list[dict[str, Any]]:
    """``n`` TixShowtime rows as ``row()`` makes them (validated once, then varied cheaply)."""
    base = tix_showtime(0, day).row()
    rows = []
    for i in range(n):
        starts = dt.datetime.combine(day, dt.time(10, 0), WIB) + dt.timedelta(minutes=15 * (i % 50))
        rows.append({**base, "showtime_id": str(2_000_000_000 + i), "movie_id": str(1000 + i % 120),
                     "theatre_id": str(900000 + i % 400), "city": CITIES[i % 3], "merchant": MERCHANTS[i % 3],
                     "room_category": ROOMS[i % 4], "price": f"Rp{35 + i % 20}.000", "time": starts.strftime("%H:%M"),
                     "starts_at": starts.isoformat(), "status": i % 3, "is_available": i % 2 == 0})
    return rows
