from typing import Any

from spidermon.core.actions import Action

class SendEmail(Action):
    sender: str
    subject: str
    body_text: str
    to: list[str]
    cc: list[str] | None
    bcc: list[str] | None

    def __init__(self, **kwargs: Any) -> None: ...
    def get_subject(self) -> str: ...
    def get_body_text(self) -> str: ...
    def get_body_html(self) -> str: ...
    def send_message(self, message: Any, **kwargs: Any) -> None: ...
