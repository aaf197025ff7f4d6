"""GcTuning: the collector's state while a spider is open, and Python's state back once the engine stops.

Its effect on the seat crawl's CPU is measured by bench/tix_seats.py (docs/performance.md)."""

from __future__ import annotations

import gc

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler

from cineradar.extensions.gc_tuning import GcTuning


@pytest.fixture
def python_gc():
    """Python's collector as the test found it, whatever the test does."""
    threshold, frozen = gc.get_threshold(), gc.get_freeze_count()
    yield threshold
    gc.set_threshold(*threshold)
    if not frozen:
        gc.unfreeze()


def test_open_freezes_start_up_and_raises_the_young_threshold_stop_puts_them_back(python_gc):
    ext = GcTuning.from_crawler(get_crawler(settings_dict={"GC_FREEZE": True, "GC_GEN0_THRESHOLD": 12_345}))
    if gc.get_freeze_count():
        gc.unfreeze()
    start_up = [object() for _ in range(10)], {"held": "by start-up"}  # containers that exist at spider open
    ext.spider_opened()
    assert gc.get_threshold() == (12_345, *python_gc[1:])  # the older generations keep Python's ratios
    assert gc.get_freeze_count() > 0
    assert not any(obj is start_up for obj in gc.get_objects())  # frozen: in no generation the collector walks
    ext.spider_opened()  # a second open (no second freeze, no lost saved state)
    ext.engine_stopped()
    assert gc.get_threshold() == python_gc
    assert gc.get_freeze_count() == 0
    assert any(obj is start_up for obj in gc.get_objects())


def test_garbage_cycles_are_still_collected_while_tuned(python_gc):
    ext = GcTuning(freeze=True, gen0_threshold=10_000)
    ext.spider_opened()
    try:
        cycle: list = []
        cycle.append(cycle)
        ref = id(cycle)
        del cycle
        gc.collect()
        assert not any(id(obj) == ref for obj in gc.get_objects())
    finally:
        ext.engine_stopped()


def test_off_by_settings():
    with pytest.raises(NotConfigured):
        GcTuning.from_crawler(get_crawler(settings_dict={"GC_FREEZE": False, "GC_GEN0_THRESHOLD": 0}))


def test_threshold_only(python_gc):
    ext = GcTuning.from_crawler(get_crawler(settings_dict={"GC_FREEZE": False, "GC_GEN0_THRESHOLD": 5_000}))
    frozen = gc.get_freeze_count()
    ext.spider_opened()
    assert gc.get_threshold()[0] == 5_000
    assert gc.get_freeze_count() == frozen
    ext.engine_stopped()
    assert gc.get_threshold() == python_gc
