"""One outcome, visible everywhere: Scrapy's finish_reason (read by LogParser), the exit code on every
path (forced shutdown included), the run record, the last line in numbers, and the alerts (Slack's
Web API and SMTP, received by real local servers).

Real ``scrapy crawl`` subprocesses against the replica; real signals; a real aiosmtpd server; a
local HTTP server standing in for Slack's Web API (a fake of Slack's side only: no real Slack can
run here), recording what the crawl posted.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from email import message_from_bytes
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import parse_qs

import pytest
from aiosmtpd.controller import Controller
from logparser import parse as logparser_parse

from replica import Knobs, Replica
from tests.conftest import ROOT

pytestmark = pytest.mark.e2e
DAY0 = dt.date(2026, 11, 21)


@pytest.fixture(scope="module")
def replica():
    with Replica(preset="tiny", seed=1, date=DAY0, knobs=Knobs()) as server:
        yield server


def command(replica: Replica, work: Path, *args: str, **settings: Any) -> list[str]:
    (work / "endpoints.json").write_text(json.dumps(replica.urls))
    cmd = [sys.executable, "-m", "scrapy", "crawl", "repertuary", "-a", "city=krakow", "-a", f"date={DAY0}",
           "-a", "force=1", *args]
    values = {"ENDPOINTS": work / "endpoints.json", "SQLITE_PATH": work / "cineradar.db",
              "STORAGE_SPOOL_DIR": work / "spool", "DOWNLOAD_DELAY": 0, "SITE_RATE_LIMITS": "{}",
              "REMOTE_CONTROL_ENABLED": False, "LOG_FILE": work / "crawl.log", "CRAWL_TODAY": DAY0,
              "STATS_DUMP_PATH": work / "stats.json"} | settings
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


ENV = os.environ | {"PYTHONPATH": str(ROOT), "TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS": ""}


def run(replica: Replica, work: Path, *args: str, **settings: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command(replica, work, *args, **settings), cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env=ENV, check=False)


def runs(work: Path) -> list[tuple[str, str, str]]:
    with sqlite3.connect(work / "cineradar.db") as db:
        return db.execute("SELECT spider, status, reason FROM crawl_runs ORDER BY started_at").fetchall()


def last_line(work: Path) -> str:
    return (work / "crawl.log").read_text().rstrip("\n").splitlines()[-1]


# ------------------------------------------------------------------ finish_reason, LogParser
def test_logparser_reads_a_partial_job_log_as_partial_not_finished(replica, tmp_path):
    result = run(replica, tmp_path, "-a", "days=2", CLOSESPIDER_PAGECOUNT=2)
    assert result.returncode == 3, result.stderr[-2000:]
    parsed = logparser_parse((tmp_path / "crawl.log").read_text())
    assert parsed["finish_reason"] == "partial"
    assert parsed["crawler_stats"]["cineradar/outcome/close_reason"] == "closespider_pagecount"
    assert json.loads((tmp_path / "stats.json").read_text())["finish_reason"] == "partial"


def test_logparser_reads_a_complete_job_as_finished(replica, tmp_path):
    result = run(replica, tmp_path, "-a", "days=1")
    assert result.returncode == 0, result.stderr[-2000:]
    assert logparser_parse((tmp_path / "crawl.log").read_text())["finish_reason"] == "finished"
    assert last_line(tmp_path).endswith("crawl finished: success")


def test_a_crawl_short_of_days_says_what_is_missing_in_numbers_on_its_last_line(replica, tmp_path):
    replica.knobs.update({"faults": ["5xx:p=1.0,site=repertuary,path=^/film/,status=500"]})
    since = len(replica.ctx.log)
    try:
        result = run(replica, tmp_path, "-a", "days=2", REPERTUARY_MAX_ATTEMPTS=1, RETRY_TIMES=0)
    finally:
        replica.knobs.update({"faults": []})
    films = {e["path"] for e in replica.ctx.log[since:] if e["path"].startswith("/film/") and e["status"] == 500}
    assert result.returncode == 3, result.stderr[-2000:]
    line = last_line(tmp_path)
    assert " ERROR: crawl PARTIAL: " in line and "monitors failed" not in line, line
    assert "days covered below the 2 requested: krakow 1" in line  # the monitor's own finding, in numbers
    assert f"repertuary films not crawled: {len(films)}" in line and films
    assert logparser_parse((tmp_path / "crawl.log").read_text())["finish_reason"] == "partial"
    ((_, status, reason),) = runs(tmp_path)
    assert status == "partial" and "days covered below the 2 requested: krakow 1" in reason


# ------------------------------------------------------------------ forced shutdown
def wait_for(predicate, what: str, timeout: float = 120) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, what
        time.sleep(0.05)  # polling for the crawl's progress, not driving time


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_forced_shutdown_exits_non_zero_with_an_outcome_line_and_a_final_run_record(replica, tmp_path, signum):
    served = len(replica.ctx.log)
    # DOWNLOAD_DELAY keeps the crawl going long enough to be signalled twice mid-crawl.
    proc = subprocess.Popen(command(replica, tmp_path, "-a", "days=7", DOWNLOAD_DELAY=1), cwd=ROOT, env=ENV,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for(lambda: len(replica.ctx.log) >= served + 3, "the crawl never fetched anything")
        assert runs(tmp_path) == [("repertuary", "running", None)]
        proc.send_signal(signum)
        wait_for(lambda: "shutting down gracefully" in (tmp_path / "crawl.log").read_text(), "no graceful line")
        proc.send_signal(signum)  # the second one: Scrapy forces an unclean shutdown
        _, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    log = (tmp_path / "crawl.log").read_text()
    assert "forcing unclean shutdown" in log
    assert proc.returncode == 1, stderr[-2000:]
    assert "crawl FAILED: stopped by a forced shutdown" in last_line(tmp_path)
    ((spider, status, reason),) = runs(tmp_path)
    assert (spider, status) == ("repertuary", "failed") and "forced shutdown" in reason
    assert logparser_parse(log)["finish_reason"] == "failed"  # Scrapy dumped no stats: the outcome did


# ------------------------------------------------------------------ alerts
class SlackApi(BaseHTTPRequestHandler):
    """Slack's Web API as far as the crawl uses it (users.list, chat.postMessage): records each call."""

    calls: ClassVar[list[tuple[str, dict[str, Any], str]]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
        kind = self.headers.get("Content-Type", "")
        fields = json.loads(body) if "json" in kind else {k: v[0] for k, v in parse_qs(body).items()}
        SlackApi.calls.append((self.path, fields, self.headers.get("Authorization", "")))
        answer = {"ok": True, "members": []} if self.path.endswith("users.list") else {"ok": True, "ts": "1.0"}
        data = json.dumps(answer).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST  # noqa: N815

    def log_message(self, *args: object) -> None:
        pass


class Mailbox:
    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001, ANN201, N802 - aiosmtpd's hook
        self.messages.append((envelope.mail_from, list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def alert_targets():
    SlackApi.calls.clear()
    http = ThreadingHTTPServer(("127.0.0.1", 0), SlackApi)
    thread = threading.Thread(target=http.serve_forever, daemon=True)
    thread.start()
    mailbox = Mailbox()
    with socket.socket() as probe:  # a free port (aiosmtpd's readiness check cannot use port 0)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    smtp = Controller(mailbox, hostname="127.0.0.1", port=port)
    smtp.start()
    settings = {"SPIDERMON_SLACK_SENDER_TOKEN": "xoxb-test-token-77", "SPIDERMON_SLACK_RECIPIENTS": "#alerts",
                "ALERT_SLACK_API_URL": f"http://127.0.0.1:{http.server_address[1]}/api/",
                "SPIDERMON_SMTP_HOST": "127.0.0.1", "SPIDERMON_SMTP_PORT": port,
                "SPIDERMON_EMAIL_TO": "oncall@example.org", "SPIDERMON_EMAIL_SENDER": "cineradar@example.org"}
    yield settings, mailbox
    smtp.stop()
    http.shutdown()
    http.server_close()
    thread.join()


def posted_texts() -> list[str]:
    return [fields.get("text", "") for path, fields, _ in SlackApi.calls if path.endswith("chat.postMessage")]


def test_a_partial_crawl_alerts_through_slack_and_email_with_its_outcome_line(replica, tmp_path, alert_targets):
    settings, mailbox = alert_targets
    result = run(replica, tmp_path, "-a", "days=2", CLOSESPIDER_PAGECOUNT=2, **settings)
    assert result.returncode == 3, result.stderr[-2000:]
    why = "stopped before the end (closespider_pagecount); days covered below the 2 requested: krakow 1"
    calls = [(path, fields) for path, fields, auth in SlackApi.calls if path.endswith("chat.postMessage")]
    assert [fields["channel"] for _, fields in calls] == ["#alerts"]
    assert posted_texts() == [f"CineRadar repertuary: crawl PARTIAL: {why}"]  # Slack requires `text`
    assert all(auth == "Bearer xoxb-test-token-77" for _, _, auth in SlackApi.calls)
    ((sender, to, raw),) = mailbox.messages
    mail = message_from_bytes(raw)
    assert (sender, to, mail["Subject"]) == ("cineradar@example.org", ["oncall@example.org"],
                                            "CineRadar repertuary: crawl PARTIAL")
    body = next(p.get_payload(decode=True).decode() for p in mail.walk() if p.get_content_type() == "text/plain")
    assert f"crawl PARTIAL: {why}" in body and "finish_reason: partial" in body
    assert "xoxb-test-token-77" not in (tmp_path / "crawl.log").read_text()


def test_a_complete_crawl_sends_no_alert(replica, tmp_path, alert_targets):
    settings, mailbox = alert_targets
    result = run(replica, tmp_path, "-a", "days=1", **settings)
    assert result.returncode == 0, result.stderr[-2000:]
    assert posted_texts() == [] and mailbox.messages == []


def test_a_crawl_that_cannot_start_fails_and_alerts(replica, tmp_path, alert_targets):
    settings, mailbox = alert_targets
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the database's folder should be")
    result = run(replica, tmp_path, "-a", "days=1", SQLITE_PATH=blocker / "cineradar.db", **settings)
    assert result.returncode == 1, result.stderr[-2000:]
    assert " crawl FAILED: storage sqlite: " in last_line(tmp_path)
    assert logparser_parse((tmp_path / "crawl.log").read_text())["finish_reason"] == "failed"
    (text,) = posted_texts()
    assert text.startswith("CineRadar repertuary: crawl FAILED: storage sqlite: ")
    ((_, _, raw),) = mailbox.messages
    assert message_from_bytes(raw)["Subject"] == "CineRadar repertuary: crawl FAILED"


def test_a_forced_shutdown_alerts_too(replica, tmp_path, alert_targets):
    settings, mailbox = alert_targets
    served = len(replica.ctx.log)
    proc = subprocess.Popen(command(replica, tmp_path, "-a", "days=7", DOWNLOAD_DELAY=1, **settings), cwd=ROOT,
                            env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: len(replica.ctx.log) >= served + 3, "the crawl never fetched anything")
        proc.send_signal(signal.SIGTERM)
        wait_for(lambda: "shutting down gracefully" in (tmp_path / "crawl.log").read_text(), "no graceful line")
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 1
    (text,) = posted_texts()
    assert text.startswith("CineRadar repertuary: crawl FAILED: stopped by a forced shutdown")
    assert len(mailbox.messages) == 1
