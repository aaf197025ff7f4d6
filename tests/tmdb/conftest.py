"""Shared by the TMDB tests: the replica (default preset), and its read token in the environment
(`token`; a test without it sees no credential)."""

from __future__ import annotations

import datetime as dt

import pytest

from replica import Knobs, Replica

DAY0 = dt.date(2026, 11, 21)
# The TMDB rate is tested where it is the point (test_tmdb_movies_e2e.py: the default 35/s against the
# replica's 40/s window, the 429 tests). Elsewhere both caps are lifted: at 35/s a tmdb_match of the
# default preset's listings (~900 requests) waits 26 s on the cap for 9 s of work.
UNCAPPED_SETTINGS = {"TMDB_RATE_LIMIT": "1000"}
UNCAPPED_KNOBS = {"tmdb_rate_limit": 1000.0}


def uncapped(replica: Replica) -> dict[str, str]:
    """Lift the replica's TMDB limiter; the settings that lift the crawl's own cap."""
    replica.knobs.update(UNCAPPED_KNOBS)
    return dict(UNCAPPED_SETTINGS)


@pytest.fixture
def replica():
    replica = Replica(preset="default", seed=1, date=DAY0, knobs=Knobs())
    replica.start()
    yield replica
    replica.stop()


@pytest.fixture
def token(monkeypatch):
    monkeypatch.delenv("TMDB_API_KEY", raising=False)
    monkeypatch.setenv("TMDB_READ_TOKEN", Knobs().tmdb_bearer)
