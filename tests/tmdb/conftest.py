"""Shared by the TMDB tests: the replica (default preset), and its read token in the environment
(`token`; a test without it sees no credential)."""

from __future__ import annotations

import datetime as dt

import pytest

from replica import Knobs, Replica

DAY0 = dt.date(2026, 11, 21)


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
