"""The rules of cineradar/items/base.py, one at a time: the zone a datetime field is moved to, the
described field helper, the registry of entities, the NUL check's less common shapes, the feed
adapter's item test and the id sanitizer. Pure unit tests: no process, no socket, no crawl."""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from typing import ClassVar

import pytest
from annotated_types import Ge

from cineradar.items import WIB, TixMovie
from cineradar.items.base import (
    REGISTRY,
    CineItem,
    CineItemAdapter,
    D,
    _has_nul,
    _in,
    register,
    registered,
    sanitize_id,
)


@pytest.fixture
def registry():
    """REGISTRY as it was before the test: models a test defines do not stay registered."""
    saved = dict(REGISTRY)
    yield REGISTRY
    REGISTRY.clear()
    REGISTRY.update(saved)


class Rows(list):
    pass


# --- datetimes: moved to the zone the field names ---------------------------------------------

def test_a_zoned_datetime_is_moved_to_the_fields_zone():
    moved = _in(WIB).func(dt.datetime(2026, 11, 21, 11, 0, tzinfo=dt.UTC))
    assert moved.tzinfo is WIB
    assert (moved.hour, moved.utcoffset()) == (18, dt.timedelta(hours=7))


def test_moving_to_a_zone_keeps_the_instant():
    instant = dt.datetime(2026, 11, 21, 11, 0, tzinfo=dt.UTC)
    assert _in(WIB).func(instant) == instant


# --- D: a field with its description ----------------------------------------------------------

def test_a_described_field_keeps_its_default():
    assert D("Seats in the room, a count", 3).default == 3


def test_a_described_field_carries_its_description():
    assert D("Seats in the room, a count", 3).description == "Seats in the room, a count"


def test_a_described_field_passes_its_constraints_on():
    assert Ge(0) in D("Seats in the room, a count", 3, ge=0).metadata


# --- the registry: one model per entity -------------------------------------------------------

def test_a_model_with_its_own_entity_registers_itself(registry):
    class Probe(CineItem):
        entity: ClassVar[str] = "probe_base_rules"
        key: ClassVar[tuple[str, ...]] = ("name",)
        source: ClassVar[str] = "probe"
        name: str

    assert registry["probe_base_rules"] is Probe
    assert registered()[-1] is Probe


def test_a_shared_base_without_an_entity_is_not_registered(registry):
    before = dict(registry)

    class SharedBase(CineItem):
        name: str

    assert registry == before
    assert SharedBase not in registered()


def test_a_second_model_cannot_claim_a_registered_entity(registry):
    with pytest.raises(TypeError, match="claimed by"):
        class Impostor(CineItem):
            entity: ClassVar[str] = "tix_movies"
    assert registry["tix_movies"] is TixMovie


def test_registering_the_same_model_again_is_accepted(registry):
    register(TixMovie)
    assert registry["tix_movies"] is TixMovie


def test_registered_lists_every_model_in_registry_order():
    assert registered() == tuple(REGISTRY.values())
    assert TixMovie in registered()


# --- the NUL check on less common shapes ------------------------------------------------------

@pytest.mark.parametrize(("text", "found"), [("a\x00b", True), ("\x00", True), ("ab", False), ("", False)])
def test_a_string_on_its_own_is_checked_for_a_nul(text, found):
    assert _has_nul(text) is found


@pytest.mark.parametrize(("value", "found"), [
    (OrderedDict(a="x", b="y\x00"), True),
    (OrderedDict(a="x", b=["y"]), False),
])
def test_a_dict_subclass_is_looked_into(value, found):
    assert _has_nul(value) is found


@pytest.mark.parametrize(("value", "found"), [
    (Rows(["a", "b\x00"]), True),
    (Rows(["a", 1, None]), False),
])
def test_a_list_subclass_is_looked_into(value, found):
    assert _has_nul(value) is found


# --- feeds: the adapter takes CineItem classes only -------------------------------------------

def test_the_adapter_takes_item_classes_only():
    assert CineItemAdapter.is_item_class(TixMovie) is True
    assert CineItemAdapter.is_item_class(dict) is False


# --- ids ----------------------------------------------------------------------------------------

def test_sanitize_id_keeps_letters_of_either_case_digits_dashes_and_underscores():
    assert sanitize_id("Cinema-City_Bonarka-09") == "Cinema-City_Bonarka-09"
