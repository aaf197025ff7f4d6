"""Item pipelines, one class per file, in the order of ITEM_PIPELINES:
validate (300) -> dedup (400) -> freshness (500) -> store (800)."""
