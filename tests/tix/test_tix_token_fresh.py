"""The shipped 05:50 job, `scrapy tix-token --refresh --min-ttl 25`, on a fresh install (an empty
store): it logs in and stores a token instead of crashing (KeyError 'ttl_minutes' before)."""

from __future__ import annotations

import pytest

from cineradar.auth.tokens import TOKEN_STATE
from tests.tix.helpers import CREDENTIALS, open_store, scrapy

pytestmark = pytest.mark.e2e


def test_refresh_with_a_minimum_ttl_on_an_empty_store_logs_in(replica, tmp_path):
    result = scrapy(["tix-token", "--refresh", "--min-ttl", "25"], replica.urls, tmp_path, name="token",
                    env=CREDENTIALS, check=False)
    assert "Traceback" not in result["stderr"], result["stderr"][-2000:]
    assert result["returncode"] == 0, result["stdout"] + result["stderr"][-2000:]
    assert "status         OK" in result["stdout"]
    assert open_store(tmp_path / "cineradar.db").get_state(TOKEN_STATE)["token"]
    logins = [e for e in replica.ctx.log if e["site"] == "tix_api" and "login" in e["path"]]
    assert logins  # counted at the replica: it really logged in


def test_refresh_with_a_minimum_ttl_on_an_empty_store_without_credentials_is_one_line(replica, tmp_path):
    result = scrapy(["tix-token", "--refresh", "--min-ttl", "25"], replica.urls, tmp_path, name="token",
                    check=False)
    assert result["returncode"] == 1
    assert "Traceback" not in result["stderr"]
    assert "TIX.id authentication failed" in result["stdout"]
