from typing import Any

from spidermon.core.monitors import Monitor

class BaseScrapyMonitor(Monitor):
    def run(self, result: Any) -> Any: ...  # type: ignore[override]  # unittest's result is optional, Spidermon's not

class BaseStatMonitor(BaseScrapyMonitor):
    stat_name: str
    threshold_setting: str
    assert_type: str
    fail_if_stat_missing: bool
