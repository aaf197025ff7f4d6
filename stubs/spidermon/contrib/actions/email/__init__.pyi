from typing import Any

from spidermon.contrib.actions.templates import ActionWithTemplates

class SendEmail(ActionWithTemplates):
    sender: str | None  # SPIDERMON_EMAIL_SENDER
    # None on the class; __init__ refuses a missing recipient or subject (NotConfigured).
    subject: str
    body_text: str | None
    to: list[str]
    cc: list[str] | None
    bcc: list[str] | None

    def __init__(
        self,
        sender: str | None,
        to: list[str] | None,
        cc: list[str] | None = None,
        bcc: list[str] | None = None,
        reply_to: str | None = None,
        subject: str | None = None,
        subject_template: str | None = None,
        body_text: str | None = None,
        body_text_template: str | None = None,
        body_html: str | None = None,
        body_html_template: str | None = None,
        fake: bool | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None: ...
    def run_action(self) -> None: ...
    def get_subject(self) -> str: ...
    def get_body_text(self) -> str: ...
    def get_body_html(self) -> str: ...
    def send_message(self, message: Any, **kwargs: Any) -> None: ...
