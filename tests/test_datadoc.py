"""docs/data.md is the data contract users read: it must be what the models say today."""

from __future__ import annotations

from itemadapter import ItemAdapter

from cineradar.datadoc import render
from cineradar.items import ALL_ITEMS, TixSeatSnapshot
from tests.conftest import ROOT


def test_the_data_dictionary_is_current():
    assert (ROOT / "docs" / "data.md").read_text(encoding="utf-8") == render(), (
        "docs/data.md is stale: run `python -m cineradar.datadoc > docs/data.md`")


def test_every_entity_and_field_is_in_it():
    text = render()
    for model in ALL_ITEMS:
        section = text.split(f"## `{model.entity}`", 1)[1].split("\n## ", 1)[0]
        assert all(f"| `{name}` |" in section for name in model.model_fields), model.entity


# Extended with descriptions by the TMDB work (issue 10) in parallel; remove them from here then.
# The test below fails if one of these gains its descriptions, so this list cannot go stale.
DESCRIBED_ELSEWHERE: set[str] = set()  # the TMDB entities are described now


def _undescribed(model: type) -> list[str]:
    missing = [name for name, f in model.model_fields.items() if not (f.description or "").strip()]
    for name, f in model.model_fields.items():  # nested records (a daily summary's chains) too
        inner = getattr(f.annotation, "__args__", ())
        missing += [f"{name}[].{sub}" for arg in inner if isinstance(arg, type) and hasattr(arg, "model_fields")
                    for sub, sf in arg.model_fields.items() if not (sf.description or "").strip()]
    return missing


def test_every_field_has_a_description():
    undescribed = {model.entity: _undescribed(model) for model in ALL_ITEMS}
    assert {e: f for e, f in undescribed.items() if f and e not in DESCRIBED_ELSEWHERE} == {}
    assert all(undescribed[e] for e in DESCRIBED_ELSEWHERE), "described now: drop them from DESCRIBED_ELSEWHERE"


def test_descriptions_give_units_and_time_zones():
    # The contract's promises, field by field: a zone on every date and datetime, a unit on money.
    for model in ALL_ITEMS:
        if model.entity in DESCRIBED_ELSEWHERE:
            continue
        for name, field in model.model_fields.items():
            text = field.description or ""
            kind = str(field.annotation)
            if "AwareDatetime" in kind or name.endswith("_at"):
                assert "ISO 8601" in text and any(z in text for z in ("WIB", "UTC", "Polish")), (model.entity, name)
            elif name in ("date", "last_seen"):
                assert any(z in text for z in ("WIB", "Polish")), (model.entity, name)
            if name.startswith("price_"):
                assert "rupiah" in text, (model.entity, name)
    layout = TixSeatSnapshot.model_fields["layout"].description or ""
    assert "1 = available" in layout and "0 = taken" in layout


def test_the_entity_is_in_every_section_and_feed_header():
    text = render()
    for model in ALL_ITEMS:
        assert f"| `entity` | `{model.entity}` |" in text
        assert ItemAdapter.get_field_names_from_class(model) == ["entity", *model.model_fields]
