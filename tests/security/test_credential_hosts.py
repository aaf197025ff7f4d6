"""Credentials only to their own host: a 302 from the configured TIX.id API or TMDB API host to
another host must not carry the Bearer token or the api_key there (counted at the other host)."""

from __future__ import annotations

from pathlib import Path

import pytest

from replica.server import Replica
from tests.security.redirects import redirect_servers
from tests.tix.helpers import DAY, MORNING, crawl, scrapy

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def replica():  # noqa: ANN201
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        yield replica


def test_tix_bearer_is_not_sent_across_a_redirect(replica, tmp_path):
    # tix_movies: the guest token from POST /v1/auth (passed to the replica), the listings redirected
    with redirect_servers(replica.urls["tix_api"], prefixes=("/v1/movies", "/v1/schedules")) as servers:
        crawl("tix_movies", replica.urls | {"tix_api": servers.redirector}, tmp_path, "cities=JAKARTA",
              f"date={DAY}", check=False, timeout=180)
    counts = servers.counts
    assert counts["redirected"] >= 1 and counts["credentials_at_origin"] == counts["redirected"], counts
    assert counts["requests"] >= 1 and counts["credentials"] == 0, counts  # followed, without the token


@pytest.mark.parametrize("credential", ["TMDB_READ_TOKEN", "TMDB_API_KEY"])
def test_tmdb_credential_is_not_sent_across_a_redirect(replica, tmp_path: Path, credential):
    show = replica.truth("tmdb")["tv"][0]
    with redirect_servers() as servers:
        scrapy(["crawl", "tmdb_tv", "-a", f"imdb_ids={show['imdb_id']}"],
               replica.urls | {"tmdb": servers.redirector}, tmp_path, name="tmdb_tv",
               env={credential: "tmdb-secret-credential"},
               settings={"FILES_STORE": str(tmp_path / "files"), "CRAWL_TODAY": str(DAY)}, check=False, timeout=180)
    counts = servers.counts
    assert counts["redirected"] >= 1 and counts["credentials_at_origin"] == counts["redirected"]
    assert counts["requests"] == counts["redirected"] and counts["credentials"] == 0, counts
