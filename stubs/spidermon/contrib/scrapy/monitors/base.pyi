from spidermon.core.monitors import Monitor

class BaseScrapyMonitor(Monitor): ...

class BaseStatMonitor(BaseScrapyMonitor):
    stat_name: str
    threshold_setting: str
    assert_type: str
    fail_if_stat_missing: bool
