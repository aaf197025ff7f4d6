"""Alerts for every crawl that did not end complete (PARTIAL or FAILED), through Spidermon's own actions.

The crawl's outcome (cineradar/extensions/outcome.py) runs ``send`` once the status is decided,
on every path: a crawl that failed at start (credentials, storage), one the monitors found
short, one stopped by a forced shutdown. ``send`` runs a Spidermon suite with one monitor,
"the crawl is complete", whose failure runs the configured actions:

- Slack: Spidermon's ``SendSlackMessage`` (``SPIDERMON_SLACK_SENDER_TOKEN``,
  ``SPIDERMON_SLACK_RECIPIENTS``): a ``chat.postMessage`` whose ``text`` is the outcome line.
  ``ALERT_SLACK_API_URL`` is the Web API's base URL (a test points it at a local receiver).
- E-mail: Spidermon's ``SendSmtpEmail`` (``SPIDERMON_EMAIL_TO``, ``SPIDERMON_SMTP_HOST``,
  ``SPIDERMON_SMTP_PORT``, optional ``SPIDERMON_SMTP_USER``/``_PASSWORD``,
  ``SPIDERMON_SMTP_ENFORCE_TLS``/``_SSL``), delivered with the standard library's smtplib so it
  works from a worker thread and after the reactor has stopped (Scrapy's MailSender needs it).

An action that is not configured is not run; one that fails is one ERROR line naming it (never
its token or password). Runs in a worker thread: it never blocks the reactor.
"""

from __future__ import annotations

import logging
import smtplib
import warnings
from typing import TYPE_CHECKING, Any, cast

from slack_sdk import WebClient
from spidermon import Monitor, MonitorSuite
from spidermon.contrib.actions.slack import SendSlackMessage
from spidermon.results.monitor import MonitorResult
from spidermon.runners import MonitorRunner

from cineradar.extensions import outcome

with warnings.catch_warnings():  # it imports scrapy.mail (deprecated) for a MailSender we do not use
    warnings.simplefilter("ignore")
    from spidermon.contrib.actions.email import SendEmail
    from spidermon.contrib.actions.email.smtp import SendSmtpEmail

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.spiders import Spider

logger = logging.getLogger(__name__)
TIMEOUT = 10  # seconds per Slack call or SMTP session: an alert must not hold the crawl's end long


def line(data: Any) -> str:
    """The alert's text: spider, status and why, as the crawl's last log line says it."""
    stats = data.stats
    status = str(stats.get(outcome.STATUS_KEY) or "unknown")
    return f"CineRadar {data.spider.name}: crawl {status.upper()}: {stats.get(outcome.WHY_KEY) or ''}".rstrip(": ")


class CrawlComplete(Monitor):
    @property
    def _stats(self) -> Any:
        return self.data.stats

    def test_crawl_complete(self) -> None:
        self.assertEqual(self._stats.get(outcome.STATUS_KEY), "success", line(self.data))


class SlackAlert(SendSlackMessage):
    """Spidermon's Slack action; the message is the outcome line unless SPIDERMON_SLACK_MESSAGE is set."""

    include_attachments = False

    def __init__(self, base_url: str = "https://slack.com/api/", **kwargs: Any) -> None:
        self.token = kwargs.get("sender_token")
        super().__init__(**kwargs)
        self.base_url = base_url

    @classmethod
    def from_crawler_kwargs(cls, crawler: Crawler) -> dict[str, Any]:
        kwargs: dict[str, Any] = super().from_crawler_kwargs(crawler)
        kwargs["base_url"] = crawler.settings["ALERT_SLACK_API_URL"]
        return kwargs

    def get_message(self) -> str:
        return str(super().get_message()) if self.message else line(self.data)

    def run_action(self) -> None:
        client = WebClient(token=self.token, base_url=self.base_url, timeout=TIMEOUT)
        for channel in self.recipients:
            client.chat_postMessage(channel=channel, text=self.get_message(), **self.kwargs)


class SmtpAlert(SendSmtpEmail):
    """Spidermon's SMTP e-mail action: subject and body from the outcome; user and password optional."""

    subject = "CineRadar crawl alert"  # replaced by get_subject; Spidermon requires one
    body_text = "-"

    def __init__(self, smtp_host: str | None = None, smtp_port: int | None = None,  # noqa: PLR0913
                 smtp_user: str | None = None, smtp_password: str | None = None,
                 smtp_enforce_tls: bool | None = None, smtp_enforce_ssl: bool | None = None,
                 **kwargs: Any) -> None:
        SendEmail.__init__(self, **kwargs)  # SendSmtpEmail's own insists on a user and password
        self.smtp_host, self.smtp_port = smtp_host, smtp_port or 25
        self.smtp_user, self.smtp_password = smtp_user, smtp_password
        self.smtp_enforce_tls, self.smtp_enforce_ssl = bool(smtp_enforce_tls), bool(smtp_enforce_ssl)

    def get_subject(self) -> str:
        status = str(self.data.stats.get(outcome.STATUS_KEY) or "unknown")
        return f"CineRadar {self.data.spider.name}: crawl {status.upper()}"

    def get_body_text(self) -> str:
        stats = self.data.stats
        keys = ("finish_reason", outcome.CLOSE_REASON_KEY, "item_scraped_count", "log_count/ERROR",
                "downloader/request_count")
        return line(self.data) + "\n\n" + "".join(f"{k}: {stats.get(k)}\n" for k in keys if k in stats)

    def get_body_html(self) -> str:
        return ""

    def send_message(self, message: Any, **kwargs: Any) -> None:
        smtp_class = smtplib.SMTP_SSL if self.smtp_enforce_ssl else smtplib.SMTP
        with smtp_class(self.smtp_host or "", self.smtp_port, timeout=TIMEOUT) as smtp:
            if self.smtp_enforce_tls:
                smtp.starttls()
            if self.smtp_user:
                smtp.login(self.smtp_user, self.smtp_password or "")
            # cast: settings.py gives SPIDERMON_EMAIL_SENDER a default; set empty (None) it fails in smtplib, as before
            sender = cast("str", self.sender)
            smtp.sendmail(sender, [*self.to, *(self.cc or []), *(self.bcc or [])], message.as_string())


def actions(crawler: Crawler) -> list[type]:
    """The alert actions this crawl's settings configure."""
    settings = crawler.settings
    chosen: list[type] = []
    if settings.get("SPIDERMON_SLACK_SENDER_TOKEN") and settings.getlist("SPIDERMON_SLACK_RECIPIENTS"):
        chosen.append(SlackAlert)
    if settings.get("SPIDERMON_SMTP_HOST") and settings.getlist("SPIDERMON_EMAIL_TO"):
        chosen.append(SmtpAlert)
    return chosen


class _QuietRunner(MonitorRunner):
    """Spidermon's runner without its per-step log lines: ``send`` logs one line per alert."""

    def create_result(self) -> MonitorResult:
        return MonitorResult()


def send(crawler: Crawler, spider: Spider) -> dict[str, str]:
    """Blocking: alert through every configured action if the crawl is not a success.

    Returns action name -> "sent" or the error's last line (logged at ERROR)."""
    chosen = actions(crawler)
    assert crawler.stats is not None
    if not chosen or outcome.status(crawler) == "success":
        return {}
    try:
        suite = MonitorSuite(name="alerts", monitors=[CrawlComplete], monitors_failed_actions=chosen,
                             crawler=crawler)
    except Exception as exc:  # noqa: BLE001 - an action refused its settings (Spidermon's NotConfigured)
        logger.error("alerts not sent: %s", exc)
        return {"alerts": str(exc)}
    runner = _QuietRunner()
    result = runner.run(suite, stats=crawler.stats.get_stats(), stats_history=[], crawler=crawler,
                        spider=spider, job=None)
    sent: dict[str, str] = {}
    for item in result.monitors_failed_action_results:
        name = item.item.name
        error = getattr(item, "error", None)
        if error:
            last = str(error).strip().splitlines()[-1]
            sent[name] = last
            logger.error("alert %s not sent: %s", name, last)
        else:
            sent[name] = "sent"
    if sent and all(v == "sent" for v in sent.values()):
        logger.info("alert sent: %s", ", ".join(sent))
    return sent
