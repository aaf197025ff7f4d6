"""Verified TLS in real crawls: the replica behind a TLS-terminating proxy (tests/security/tlsfront.py).

A certificate from the CA named by TLS_CA_FILE passes; a certificate for another name, or from a
CA nobody trusts (a self-signed proxy), fails the crawl at once: exit 1, FAILED, one ERROR line
naming the host, and the proxy counts no handshake, hence no request and no credential. Covers
tix_seats (Bearer user token, Scrapy's aiohttp handler, then the Twisted one) and tmdb_tv (Bearer
read token, the TMDB handler on Scrapy's Twisted one).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from replica.server import Replica
from tests.conftest import open_store
from tests.security.conftest import BAD_CERTS
from tests.security.tlsfront import TlsFront
from tests.tix.helpers import DAY, MORNING, crawl, seed_token

pytestmark = pytest.mark.e2e

TMDB_TOKEN = "tmdb-secret-read-token"


@pytest.fixture(scope="module")
def replica():  # noqa: ANN201
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        replica.knobs.update({"tmdb_bearer": TMDB_TOKEN})
        yield replica


def showtimes_file(replica: Replica, tmp_path: Path, n: int = 6) -> Path:
    keys = ("showtime_id", "movie_id", "theatre_id", "city", "merchant", "room_category", "date", "time")
    path = tmp_path / "showtimes.jsonl"
    path.write_text("".join(json.dumps({k: s[k] for k in keys}) + "\n" for s in replica.truth("tix")["showtimes"][:n]))
    return path


def errors(log: str) -> list[str]:
    """ERROR lines but the closing status line (``crawl FAILED: <the first cause>``)."""
    return [line for line in log.splitlines() if " ERROR: " in line and "crawl FAILED" not in line]


def tix_seats(replica: Replica, front: TlsFront, tmp_path: Path, ca_file: Path | None, handler: str,
              env: dict[str, str] | None = None) -> dict[str, Any]:
    seed_token(tmp_path / "cineradar.db", replica.urls["tix_api"])  # set up over plain HTTP, not through the front
    urls = replica.urls | {"tix_api": front.urls["tix_api"], "tix_app": front.urls["tix_app"]}
    settings = {"TIX_SEATS_HTTP_HANDLER": handler} | ({"TLS_CA_FILE": str(ca_file)} if ca_file else {})
    return crawl("tix_seats", urls, tmp_path, f"showtimes={showtimes_file(replica, tmp_path)}", f"date={DAY}",
                 settings=settings, env=env, check=False, timeout=180)


@pytest.mark.parametrize("handler", ["aiohttp", "twisted"])
def test_tix_seats_over_tls_trusts_the_system_roots_without_the_setting(replica, good_cert, ca_file, tmp_path,
                                                                         handler):
    # OpenSSL's SSL_CERT_FILE stands in for the system's roots: both handlers verify against them.
    with TlsFront({"tix_api": replica.urls["tix_api"], "tix_app": replica.urls["tix_app"]}, good_cert) as front:
        result = tix_seats(replica, front, tmp_path, None, handler, env={"SSL_CERT_FILE": str(ca_file)})
    assert (result["returncode"], front.credentials["tix_api"]) == (0, 6), result["log"][-3000:]


@pytest.mark.parametrize("handler", ["aiohttp", "twisted"])
def test_tix_seats_over_tls_with_the_ca_setting_fetches_every_layout(replica, good_cert, ca_file, tmp_path, handler):
    with TlsFront({"tix_api": replica.urls["tix_api"], "tix_app": replica.urls["tix_app"]}, good_cert) as front:
        result = tix_seats(replica, front, tmp_path, ca_file, handler)
    stored = open_store(tmp_path / "cineradar.db").fetch("tix_seat_snapshots")
    assert (result["returncode"], len(stored), front.credentials["tix_api"]) == (0, 6, 6), result["log"][-3000:]


@pytest.mark.parametrize("handler", ["aiohttp", "twisted"])
@pytest.mark.parametrize("bad", BAD_CERTS)
def test_tix_seats_refuses_a_bad_certificate_at_once_and_sends_no_token(replica, request, ca_file, tmp_path,
                                                                        handler, bad):
    with TlsFront({"tix_api": replica.urls["tix_api"], "tix_app": replica.urls["tix_app"]},
                  request.getfixturevalue(bad)) as front:
        result = tix_seats(replica, front, tmp_path, ca_file, handler)
    host = front.urls["tix_api"].removeprefix("https://")
    lines = errors(result["log"])
    assert (result["returncode"], front.handshakes["tix_api"], front.requests["tix_api"],
            front.credentials["tix_api"]) == (1, 0, 0, 0), result["log"][-3000:]
    assert len(lines) == 1 and host in lines[0] and "certificate" in lines[0], lines
    assert result["stats"]["cineradar/tls/certificate_rejected"] >= 1
    assert result["stats"].get("retry/count", 0) == 0 and "crawl FAILED" in result["log"]


def tmdb_tv(replica: Replica, front: TlsFront, tmp_path: Path, ca_file: Path | None) -> dict[str, Any]:
    from tests.tix.helpers import scrapy

    show = replica.truth("tmdb")["tv"][0]
    urls = replica.urls | {"tmdb": front.urls["tmdb"]}
    settings = {"FILES_STORE": str(tmp_path / "files"), "CRAWL_TODAY": str(DAY)} | (
        {"TLS_CA_FILE": str(ca_file)} if ca_file else {})
    return scrapy(["crawl", "tmdb_tv", "-a", f"imdb_ids={show['imdb_id']}"], urls, tmp_path, name="tmdb_tv",
                  env={"TMDB_READ_TOKEN": TMDB_TOKEN}, settings=settings, check=False, timeout=180)


def test_tmdb_over_tls_with_the_ca_setting_passes(replica, good_cert, ca_file, tmp_path):
    with TlsFront({"tmdb": replica.urls["tmdb"]}, good_cert) as front:
        result = tmdb_tv(replica, front, tmp_path, ca_file)
    shows = open_store(tmp_path / "cineradar.db").fetch("tmdb_shows")
    assert (result["returncode"], len(shows)) == (0, 1), result["log"][-3000:]
    assert front.credentials["tmdb"] == front.requests["tmdb"] > 0


@pytest.mark.parametrize("bad", BAD_CERTS)
def test_tmdb_refuses_a_bad_certificate_at_once_and_sends_no_token(replica, request, ca_file, tmp_path, bad):
    with TlsFront({"tmdb": replica.urls["tmdb"]}, request.getfixturevalue(bad)) as front:
        result = tmdb_tv(replica, front, tmp_path, ca_file)
    host = front.urls["tmdb"].removeprefix("https://")
    tls_lines = [ln for ln in errors(result["log"]) if "certificate" in ln]
    assert (result["returncode"], front.handshakes["tmdb"], front.credentials["tmdb"]) == (1, 0, 0), \
        result["log"][-3000:]
    assert len(tls_lines) == 1 and host in tls_lines[0], errors(result["log"])
    assert result["stats"].get("retry/count", 0) == 0


def test_repertuary_refuses_a_bad_certificate_with_one_line(replica, untrusted_cert, ca_file, tmp_path):
    with TlsFront({"krakow": replica.urls["repertuary"]["krakow"]}, untrusted_cert) as front:
        urls = replica.urls | {"repertuary": replica.urls["repertuary"] | {"krakow": front.urls["krakow"]}}
        result = crawl("kino_krakow", urls, tmp_path, "days=1", settings={"TLS_CA_FILE": str(ca_file)},
                       check=False, timeout=180)
    lines = errors(result["log"])
    assert (result["returncode"], front.handshakes["krakow"], len(lines)) == (1, 0, 1), lines
    assert front.urls["krakow"].removeprefix("https://") in lines[0]


def test_tix_movies_gets_no_guest_token_from_a_host_with_a_bad_certificate(replica, untrusted_cert, ca_file, tmp_path):
    with TlsFront({"tix_api": replica.urls["tix_api"]}, untrusted_cert) as front:
        result = crawl("tix_movies", replica.urls | {"tix_api": front.urls["tix_api"]}, tmp_path, "cities=JAKARTA",
                       f"date={DAY}", settings={"TLS_CA_FILE": str(ca_file)}, check=False, timeout=180)
    failed = [ln for ln in result["log"].splitlines() if "crawl FAILED" in ln]
    assert (result["returncode"], front.handshakes["tix_api"], front.credentials["tix_api"]) == (1, 0, 0)
    assert len(failed) == 1 and front.urls["tix_api"].removeprefix("https://") in failed[0], failed
