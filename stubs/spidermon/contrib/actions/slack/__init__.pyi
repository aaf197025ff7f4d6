from typing import Any

from spidermon.core.actions import Action

class SendSlackMessage(Action):
    message: str | None
    recipients: list[str]
    include_attachments: bool
    kwargs: dict[str, Any]

    def __init__(self, **kwargs: Any) -> None: ...
    def get_message(self) -> Any: ...
