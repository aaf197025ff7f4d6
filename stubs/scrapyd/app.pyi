from typing import Any

from scrapyd.config import Config

def application(config: Config) -> Any: ...
