from typing import Any

from spidermon.contrib.actions.email import SendEmail

class SendSmtpEmail(SendEmail):
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_enforce_tls: bool
    smtp_enforce_ssl: bool

    def __init__(
        self,
        smtp_host: str | None = None,
        smtp_port: int | None = None,
        smtp_user: str | None = None,
        smtp_password: str | None = None,
        smtp_enforce_tls: bool | None = None,
        smtp_enforce_ssl: bool | None = None,
        *args: Any,
        **kwargs: Any,
    ) -> None: ...
