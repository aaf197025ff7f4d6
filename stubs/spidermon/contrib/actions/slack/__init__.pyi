from typing import Any

from spidermon.contrib.actions.templates import ActionWithTemplates

class SendSlackMessage(ActionWithTemplates):
    message: str | None
    recipients: list[str]  # None on the class; __init__ refuses none (NotConfigured)
    include_attachments: bool
    kwargs: dict[str, Any]

    def __init__(
        self,
        sender_token: str | None = None,
        sender_name: str | None = None,
        recipients: list[str] | None = None,
        message: str | None = None,
        message_template: str | None = None,
        include_message: bool | None = None,
        attachments: str | None = None,
        attachments_template: str | None = None,
        include_attachments: bool | None = None,
        fake: bool | None = None,
        **kwargs: Any,
    ) -> None: ...
    def run_action(self) -> None: ...
    def get_message(self) -> Any: ...
