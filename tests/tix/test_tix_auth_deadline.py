"""A hanging guest-token endpoint fails a crawl within 30 s with the shipped settings (issue 17:
it took 2.5 minutes, attempts x DOWNLOAD_TIMEOUT). Counted at the replica's request log."""

from __future__ import annotations

import time

import pytest

from tests.tix.helpers import DAY, crawl

pytestmark = pytest.mark.e2e


def test_a_hanging_guest_endpoint_fails_the_crawl_within_30_seconds(replica, tmp_path):
    replica.ctx.log.clear()
    replica.knobs.update({"faults": ["hang:p=1,path=^/v1/auth$,site=tix_api"]})
    started = time.monotonic()
    result = crawl("tix_movies", replica.urls, tmp_path, "cities=AMBON,BANDUNG", f"date={DAY}", check=False,
                   timeout=200)  # the shipped auth settings: no DOWNLOAD_TIMEOUT or TIX_AUTH_* override
    elapsed = time.monotonic() - started
    guest_calls = [e for e in replica.ctx.log if e["site"] == "tix_api" and e["path"].split("?")[0] == "/v1/auth"]
    assert result["returncode"] == 1, result["log"][-3000:]
    assert elapsed < 30, f"{elapsed:.1f} s\n" + result["log"][-6000:]
    assert 1 <= len(guest_calls) <= 4
    assert "crawl FAILED" in result["log"] and "guest" in result["log"]
