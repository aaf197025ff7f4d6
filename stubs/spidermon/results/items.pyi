from typing import Any

class ItemResult:
    item: Any
    status: str
    error: str | None
    reason: str | None
    id: int

    def __init__(self, item: Any) -> None: ...
