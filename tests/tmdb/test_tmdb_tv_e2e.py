"""End to end: `scrapy crawl tmdb_tv` against the replica's TMDB (shows, networks, companies,
providers per region and offer, logos stored once by content), judged by the replica's truth."""

from __future__ import annotations

from pathlib import Path

import pytest

from replica import Replica
from tests.conftest import open_store, run_crawl
from tests.tmdb.conftest import uncapped

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("token")]


def tv(replica: Replica, tmp_path: Path, *args: str, returncode: int = 0) -> dict:
    return run_crawl("tmdb_tv", replica.urls, tmp_path, *args, returncode=returncode,
                     settings=uncapped(replica) | {"TMDB_IMAGE_URL": replica.urls["tmdb"] + "/t/p/original",
                               "FILES_STORE": str(tmp_path / "files")})


def test_shows_by_imdb_id_equal_the_truth_and_logos_are_stored_once(replica, tmp_path):
    truth = replica.truth("tmdb")["tv"]
    wanted = truth[:6]
    ids = ",".join(s["imdb_id"] for s in wanted) + ",tt0000001"  # the last one is no show
    stats = tv(replica, tmp_path, f"imdb_ids={ids}")
    store = open_store(tmp_path / "cineradar.db")
    shows = {r["tmdb_id"]: r for r in store.fetch("tmdb_shows")}
    assert set(shows) == {s["id"] for s in wanted} and stats["cineradar/tmdb_tv/not_found"] == 1
    assert (stats["progress/done"], stats["progress/total"]) == (7, 7)  # progress: every id given, found or not
    networks = {r["tmdb_id"]: r for r in store.fetch("tmdb_networks")}
    companies = {r["tmdb_id"]: r for r in store.fetch("tmdb_companies")}
    providers = {r["tmdb_id"]: r for r in store.fetch("tmdb_watch_providers")}
    for s in wanted:
        row = shows[s["id"]]
        assert (row["name"], row["imdb_id"], row["tvdb_id"], row["status"], row["number_of_seasons"],
                row["number_of_episodes"]) == (s["name"], s["imdb_id"], s["tvdb_id"], s["status"],
                                               s["number_of_seasons"], s["number_of_episodes"])
        assert [networks[n["id"]]["name"] for n in row["networks"]] == s["networks"]
        assert [companies[c["id"]]["name"] for c in row["production_companies"]] == s["production_companies"]
        offers: dict = {}
        for o in row["watch_providers"]:
            offers.setdefault(o["region"], {}).setdefault(o["offer"], []).append(providers[o["provider_id"]]["name"])
        assert offers == s["providers"]
        assert row["raw"]["id"] == s["id"] and "watch/providers" in row["raw"]
    with_logo = [r for r in [*networks.values(), *companies.values(), *providers.values()] if r["logo_path"]]
    files = sorted(p.relative_to(tmp_path / "files").as_posix() for p in (tmp_path / "files").rglob("*.*"))
    assert files == sorted(r["logo_file"] for r in with_logo)  # one file per logo, named by its bytes
    assert all(f.split("/")[0] == "logos" and len(Path(f).stem) == 64 for f in files)
    assert replica.ctx.requests["tmdb image"] == len(with_logo)

    # Refresh from the store: logo paths unchanged, so no logo is downloaded again.
    before = replica.ctx.requests["tmdb image"]
    stats = tv(replica, tmp_path)
    assert stats["cineradar/tmdb_tv/shows"] == len(wanted) and replica.ctx.requests["tmdb image"] == before
    assert stats["cineradar/tmdb_tv/logos_unchanged"] == len(with_logo)


def test_a_logo_downloaded_again_with_the_same_bytes_is_not_stored_twice(replica, tmp_path):
    show = replica.truth("tmdb")["tv"][0]
    tv(replica, tmp_path, f"imdb_ids={show['imdb_id']}")
    first = sorted((tmp_path / "files").rglob("*.*"))
    store = open_store(tmp_path / "cineradar.db")
    # As if the stored rows had lost their files (another backend, a restore): download again.
    rows = store.fetch("tmdb_networks")
    store.upsert("tmdb_networks", [r | {"logo_path": "/moved" + r["logo_path"][6:]} for r in rows])
    before = replica.ctx.requests["tmdb image"]
    tv(replica, tmp_path, f"imdb_ids={show['imdb_id']}")
    assert replica.ctx.requests["tmdb image"] == before + len(rows)  # downloaded again ...
    assert sorted((tmp_path / "files").rglob("*.*")) == first  # ... same bytes, same file, no copy


def test_a_show_looked_up_by_its_imdb_id_keeps_it_when_external_ids_omit_it(replica, tmp_path):
    # Issue 17: TMDB's external_ids can say imdb_id null for a show /find resolves by that id; the
    # stored row had imdb_id null.
    show = next(s for s in replica.truth("tmdb")["tv"] if s["imdb_id"])
    replica.knobs.update({"faults": ["external_ids_null:p=1,site=tmdb,path=^/3/tv/"]})
    tv(replica, tmp_path, f"imdb_ids={show['imdb_id']}")
    rows = open_store(tmp_path / "cineradar.db").fetch("tmdb_shows")
    assert [(r["tmdb_id"], r["imdb_id"]) for r in rows] == [(show["id"], show["imdb_id"])]
    assert rows[0]["raw"]["external_ids"]["imdb_id"] is None  # the replica did omit it
