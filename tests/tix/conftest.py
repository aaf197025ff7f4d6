"""Fixtures of the TIX.id tests: one tiny replica per module, its knobs reset for each test."""

from __future__ import annotations

import pytest

from replica.core import Knobs
from replica.server import Replica
from tests.tix.helpers import DAY, MORNING


@pytest.fixture(scope="module")
def replica_module():  # noqa: ANN201
    with Replica(preset="tiny", date=DAY, now=MORNING) as replica:
        yield replica


@pytest.fixture
def replica(replica_module):  # noqa: ANN001, ANN201
    """The module's replica with default knobs (no faults, 30 min tokens) and the clock at 05:00 WIB."""
    defaults = Knobs()
    replica_module.knobs.update({"faults": [], "access_ttl_s": defaults.access_ttl_s,
                                 "refresh_ttl_s": defaults.refresh_ttl_s, "latency_ms": 0})
    replica_module.clock.set(MORNING)
    return replica_module
