"""``scrapy web``'s application (Flask, Jinja2 templates rendered on the server, pygal SVG charts).

Reads go through ``storage.read.Reader`` on the primary SQL backend; review decisions are
written to every configured backend (as ``scrapy tmdb-review`` does) through
``matching.person_decision``. Writes need a login: one password whose hash (werkzeug's
``generate_password_hash``) is in ``CINERADAR_WEB_PASSWORD_HASH``; the session is a signed
cookie (``CINERADAR_WEB_SECRET_KEY``, else a random key per process) and every form carries a
CSRF token (Flask-WTF). With ``WEB_LOGIN_FOR_READS`` every page needs the login too.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import secrets
import time
from collections.abc import Callable, Sequence
from typing import Any
from urllib.parse import urlsplit

from flask import Flask, abort, flash, g, redirect, render_template, request, session, url_for
from flask_wtf.csrf import CSRFError, CSRFProtect
from werkzeug.security import check_password_hash
from werkzeug.wrappers import Response

from cineradar import matching
from cineradar.items import TmdbMatch
from cineradar.storage.base import Storage
from cineradar.storage.read import Reader
from cineradar.web import charts, geo, queries

PASSWORD_HASH_ENV = "CINERADAR_WEB_PASSWORD_HASH"
SECRET_KEY_ENV = "CINERADAR_WEB_SECRET_KEY"


def create_app(reader: Reader, writers: Sequence[Storage] = (), *, image_url: str = "",
               login_for_reads: bool = False, remote_images: bool = True, tmdb_images: bool | None = None,
               password_hash: str | None = None,
               secret_key: str | None = None,
               now: Callable[[], dt.datetime] | None = None) -> Flask:
    """The application over ``reader``; ``writers``: the backends a review decision is written to.

    ``image_url``: TMDB's image host as ENDPOINTS' ``tmdb_image`` gives it (``.../t/p/original``);
    posters are ``<host>/t/p/<size><poster_path>``. ``remote_images``: TIX.id's posters as images
    (else links); ``tmdb_images``: TMDB's posters as images (default: as ``remote_images``)."""
    app = Flask(__name__)
    app.config.update(
        SECRET_KEY=secret_key or os.environ.get(SECRET_KEY_ENV) or secrets.token_hex(32),
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict", WTF_CSRF_TIME_LIMIT=None,
        PASSWORD_HASH=password_hash if password_hash is not None else os.environ.get(PASSWORD_HASH_ENV, ""),
        LOGIN_FOR_READS=login_for_reads, IMAGE_URL=image_url.rstrip("/"), REMOTE_IMAGES=remote_images,
        TMDB_IMAGES=remote_images if tmdb_images is None else tmdb_images,
    )
    csrf = CSRFProtect()
    clock = now or (lambda: dt.datetime.now(dt.UTC))
    lock_writes = list(writers)

    @app.before_request
    def _start() -> Response | None:
        g.started = time.perf_counter()
        reader.pin()  # one read of the store's write marker per request (Reader.cached)
        g.logged_in = bool(session.get("user"))
        if app.config["LOGIN_FOR_READS"] and not g.logged_in and request.endpoint not in ("login", "static"):
            return redirect(url_for("login", next=request.full_path))
        return None

    @app.after_request
    def _timing(response: Response) -> Response:
        # server time of the page, read by the benchmark (bench/web_pages.py) and browsers' devtools
        started = g.get("started", time.perf_counter())  # unset when CSRFProtect refused the request first
        response.headers["Server-Timing"] = f"app;dur={(time.perf_counter() - started) * 1000:.1f}"
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Content-Security-Policy"] = ("default-src 'self'; img-src 'self' http: https: data:; "
                                                       "style-src 'self' 'unsafe-inline'; script-src 'self'")
        return response

    @app.teardown_request
    def _unpin(_error: BaseException | None) -> None:
        reader.unpin()

    csrf.init_app(app)  # after _start: the login state is known when a refusal is rendered

    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError) -> tuple[str, int]:
        return render_template("message.html", title="Form expired", message=error.description), 400

    @app.context_processor
    def _globals() -> dict[str, Any]:
        return {"charts": charts, "remote_images": app.config["REMOTE_IMAGES"],
                "tmdb_images": app.config["TMDB_IMAGES"], "logged_in": g.get("logged_in", False),
                "fmt": _fmt, "tmdb_poster": lambda path, size: tmdb_image(app.config["IMAGE_URL"], path, size)}

    # ---------------------------------------------------------------- runs
    @app.get("/")
    def today() -> str:
        status, spider, day = (request.args.get(k) or None for k in ("status", "spider", "date"))
        if day and not _is_day(day):
            abort(400, "date: expected YYYY-MM-DD")
        return render_template("today.html", cards=queries.run_cards(reader),
                               history=queries.run_history(reader, status=status, spider=spider, day=day),
                               spiders=queries.spiders(reader), status=status, spider=spider, day=day)

    @app.get("/runs/<run_id>")
    def run(run_id: str) -> str:
        detail = queries.run_detail(reader, run_id)
        if detail is None:
            abort(404)
        return render_template("run.html", run=detail)

    # ---------------------------------------------------------------- TIX.id
    @app.get("/tix")
    @app.get("/tix/<day>")
    def tix_day(day: str | None = None) -> str | Response:
        dates = queries.tix_dates(reader)
        if day is None and request.args.get("day"):
            day = request.args["day"]
        if day is None:
            if not dates:
                return render_template("message.html", title="TIX.id day", message="No TIX.id showtimes stored yet.")
            return redirect(url_for("tix_day", day=dates[0]))
        if not _is_day(day):
            abort(404)
        data = queries.tix_day(reader, day)
        top_movies = [m["name"] for m in data["by_movie"][:5]]
        ids = {s["title"]: s["movie_id"] for s in data["top"] + data["bottom"]}
        ids |= {m["title"]: m["movie_id"] for m in reader.rows("tix_movies", where={"date": day},
                                                                columns=("movie_id", "title"))}
        trend_ids = [ids[t] for t in top_movies if t in ids]
        movie_trend = queries.movie_trend(reader, day, trend_ids)
        names = {v: k for k, v in ids.items()}
        movie_trend["series"] = {names.get(k, k): v for k, v in movie_trend["series"].items()}
        return render_template("tix_day.html", d=data, dates=dates, chain_trend=queries.chain_trend(reader, day),
                               movie_trend=movie_trend)

    @app.get("/showtimes/<showtime_id>")
    def showtime(showtime_id: str) -> str:
        data = queries.showtime(reader, showtime_id)
        if data is None:
            abort(404)
        return render_template("showtime.html", s=data)

    @app.get("/theatres")
    def theatres() -> str:
        data = queries.theatres(reader, chain=request.args.get("chain") or None, city=request.args.get("city") or None)
        map_svg, map_caption = geo.theatre_map(data["rows"])
        return render_template("theatres.html", t=data, map_svg=map_svg, map_caption=map_caption)

    @app.get("/theatres/<theatre_id>")
    def theatre(theatre_id: str) -> str:
        day = request.args.get("date") or None
        if day and not _is_day(day):
            abort(400, "date: expected YYYY-MM-DD")
        data = queries.theatre(reader, theatre_id, day)
        if data is None:
            abort(404)
        return render_template("theatre.html", t=data)

    # ---------------------------------------------------------------- movies
    @app.get("/movies")
    def movies() -> str:
        return render_template("movies.html", m=queries.movies(reader))

    @app.get("/movies/<source>/<key>")
    def movie(source: str, key: str) -> str:
        if source == "tmdb" and key.isdigit():
            data = queries.movie(reader, tmdb=int(key))
        elif source == "tix":
            data = queries.movie(reader, tix=key)
        elif source == "repertuary":
            data = queries.movie(reader, repertuary=key)
        else:
            abort(404)
        if data is None:
            abort(404)
        return render_template("movie.html", m=data)

    # ---------------------------------------------------------------- repertuary
    @app.get("/repertuary")
    def repertuary() -> str:
        cities = queries.repertuary_cities(reader)
        start = request.args.get("start") or None
        if start and not _is_day(start):
            abort(400, "start: expected YYYY-MM-DD")
        if start is None:
            days = reader.count_by("repertuary_showtimes", "date")
            start = min(days) if days else queries.today_wib()
        city = request.args.get("city") or (cities[0] if cities else None)
        week = queries.repertuary_week(reader, city, start) if city else None
        return render_template("repertuary.html", cities=cities, city=city, start=start, week=week,
                               coverage=queries.repertuary_coverage(reader, start))

    # ---------------------------------------------------------------- review
    @app.get("/review")
    def review() -> str:
        return render_template("review.html", queue=queries.review_queue(reader),
                               login_configured=bool(app.config["PASSWORD_HASH"]))

    @app.post("/review")
    def decide() -> Response:
        if not g.logged_in:
            abort(403)
        source, key = request.form.get("listing_source", ""), request.form.get("listing_key", "")
        action = request.form.get("action")
        rows = reader.rows(TmdbMatch.entity, where={"listing_source": source, "listing_key": key})
        if not rows:
            abort(404)
        row = rows[0]
        if row["status"] != "needs_review":  # decided meanwhile (another tab, the terminal): keep that choice
            flash(f"{source}:{key} was already decided ({row['status']}); nothing changed")
            return redirect(url_for("review"))
        if action == "reject":
            tmdb_id = None
        else:
            text = (request.form.get("tmdb_id") or "").strip()
            if not text.isdigit() or int(text) <= 0:
                flash(f"{source}:{key}: a TMDB id is a positive number, got {text!r}; nothing changed")
                return redirect(url_for("review"))
            tmdb_id = int(text)
        new = matching.person_decision(row, tmdb_id, clock())
        for backend in lock_writes:
            backend.upsert(TmdbMatch.entity, [new])
        flash(f"{source}:{key} -> {new['status']} {new['tmdb_id'] or ''}".rstrip())
        return redirect(url_for("review"))

    @app.route("/login", methods=["GET", "POST"])
    def login() -> str | Response:
        error = None
        if request.method == "POST":
            stored = app.config["PASSWORD_HASH"]
            if stored and check_password_hash(stored, request.form.get("password", "")):
                session.clear()
                session["user"] = "reviewer"
                target = request.args.get("next") or ""
                return redirect(target if _local(target) else url_for("review"))
            error = "Wrong password" if stored else f"No login configured: set {PASSWORD_HASH_ENV}"
        return render_template("login.html", error=error)

    @app.post("/logout")
    def logout() -> Response:
        session.clear()
        return redirect(url_for("today"))

    # ---------------------------------------------------------------- explorer
    @app.get("/data")
    def explorer() -> str:
        return render_template("explorer.html", entities=queries.explorer(reader))

    @app.get("/data/<entity>")
    def entity(entity: str) -> str:
        if entity not in reader.specs:
            abort(404)
        return render_template("entity.html", e=queries.entity_view(reader, entity))

    return app


def tmdb_image(host: str, path: str | None, size: str) -> str | None:
    """The URL of a TMDB image: ``host`` (ENDPOINTS' ``tmdb_image``: ``https://image.tmdb.org/t/p/original``)
    with its size replaced by ``size`` (``w185``, ``original``...), then ``path`` (``/abc.jpg``);
    None without a path or a host."""
    if not path or not host:
        return None
    base = re.sub(r"/(original|[wh][0-9]+)/?$", "", host.rstrip("/"))
    return f"{base}/{size}{path if path.startswith('/') else '/' + path}"


def _is_day(text: str) -> bool:
    try:
        dt.date.fromisoformat(text)
    except ValueError:
        return False
    return len(text) == 10


def _local(target: str) -> bool:
    parts = urlsplit(target)
    return bool(target) and not parts.scheme and not parts.netloc and target.startswith("/")


def _fmt(value: Any) -> str:
    """Numbers as people read them: thousands separated, one decimal for percentages."""
    if isinstance(value, bool) or value is None:
        return "" if value is None else str(value)
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.1f}"
    return str(value)

