"""docs/data.md is the data contract users read: it must be what the models say today."""

from __future__ import annotations

from cineradar.datadoc import render
from cineradar.items import ALL_ITEMS
from tests.conftest import ROOT


def test_the_data_dictionary_is_current():
    assert (ROOT / "docs" / "data.md").read_text(encoding="utf-8") == render(), (
        "docs/data.md is stale: run `python -m cineradar.datadoc > docs/data.md`")


def test_every_entity_and_field_is_in_it():
    text = render()
    for model in ALL_ITEMS:
        section = text.split(f"## `{model.entity}`", 1)[1].split("\n## ", 1)[0]
        assert all(f"| `{name}` |" in section for name in model.model_fields), model.entity
