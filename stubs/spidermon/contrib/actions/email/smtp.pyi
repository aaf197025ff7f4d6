from typing import Any

from spidermon.contrib.actions.email import SendEmail

class SendSmtpEmail(SendEmail):
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_enforce_tls: bool
    smtp_enforce_ssl: bool

    def __init__(self, **kwargs: Any) -> None: ...
