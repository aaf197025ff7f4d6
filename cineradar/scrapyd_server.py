"""Scrapyd's own entry points, hardened through its documented extension points (scrapyd.conf).

``application = cineradar.scrapyd_server.application`` checks the configuration Scrapyd
actually reads (every scrapyd.conf, ~/.scrapyd.conf, the nearest scrapy.cfg, the SCRAPYD_*
environment) before anything listens, and refuses to start, with one line, when:

- either credential is empty (Scrapyd would serve everything to anyone);
- it would listen off loopback (Basic auth over plain HTTP: put a TLS proxy in front);
- ``schedule.json`` is not this module's ``Schedule`` (a later file put Scrapyd's own back).

It does so however Scrapyd is started (``scrapyd``, ``python -m scrapyd``, ``twistd -y``,
scripts/scrapyd), because all of them build the application named in the configuration.

``[services] schedule.json = cineradar.scrapyd_server.Schedule`` refuses, with an error
answer, what Scrapyd 1.6 would accept and then lose silently while keeping a worker slot
(a job id that is not a plain token: its log path raises; an argument too long for the
command line: the process cannot be spawned), and spider argument names that are not plain
words (``_job%3D=x`` would become ``-a _job==x`` and replace the job id the crawl sees).

Run ``python -m cineradar.scrapyd_server`` in Scrapyd's folder to check its configuration
without starting it (scripts/scrapyd does, before it starts Scrapyd).
"""

from __future__ import annotations

import ipaddress
import os
import re
import sys
from typing import Any

from scrapyd.app import application as scrapyd_application
from scrapyd.config import Config
from scrapyd.exceptions import ConfigError
from scrapyd.webservice import Schedule as ScrapydSchedule
from twisted.web import error, http

from cineradar.scrapyd_guard import JOB_ID

SCHEDULE = "cineradar.scrapyd_server.Schedule"  # not __name__: __main__ under -m
APPLICATION = "cineradar.scrapyd_server.application"
# Linux refuses a single command-line argument over 128 KiB (MAX_ARG_STRLEN) and all of them
# with the environment over ARG_MAX; a crawl's arguments are a few short words and dates.
MAX_VALUE_BYTES = 4096
MAX_REQUEST_ARGS_BYTES = 32768
ARGUMENT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}\Z")
SETTING_NAME = re.compile(r"[A-Z][A-Z0-9_]{0,63}\Z")
SCRAPYD_PARAMETERS = {"project", "spider", "_version", "jobid", "priority", "setting"}


def config_problems(config: Config, environ: dict[str, str] | None = None) -> list[str]:
    """What makes this Scrapyd configuration unsafe to serve, as Scrapyd itself would read it."""
    env = os.environ if environ is None else environ
    problems = []
    username = env.get("SCRAPYD_USERNAME") or config.get("username", "")
    password = env.get("SCRAPYD_PASSWORD") or config.get("password", "")
    if not username or not password:
        problems.append("no credentials: set SCRAPYD_USERNAME and SCRAPYD_PASSWORD in the environment "
                        "(Scrapyd serves everything to anyone without them)")
    elif ":" in username:
        problems.append("SCRAPYD_USERNAME must not contain ':'")
    bind = env.get("SCRAPYD_BIND_ADDRESS") or config.get("bind_address", "127.0.0.1")
    source = "SCRAPYD_BIND_ADDRESS" if env.get("SCRAPYD_BIND_ADDRESS") else "bind_address in Scrapyd's configuration"
    if bind and not _loopback(bind):
        problems.append(f"{source} is {bind!r}: Scrapyd speaks plain HTTP with Basic auth, so it listens on "
                        "loopback only (put a TLS proxy in front)")
    schedule = dict(config.items("services", default=[])).get("schedule.json")
    if schedule != SCHEDULE:
        problems.append(f"[services] schedule.json is {schedule!r}, not {SCHEDULE} (it checks job ids and sizes)")
    return problems


def _loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address).is_loopback
    except ValueError:
        return False


def application(config: Config) -> Any:
    """Scrapyd's application, built only from a configuration that passes ``config_problems``."""
    problems = config_problems(config)
    if problems:
        # get_application() turns a ConfigError into sys.exit(message): one line, exit 1.
        raise ConfigError("CineRadar refuses to start Scrapyd: " + "; ".join(problems))
    return scrapyd_application(config)


class Schedule(ScrapydSchedule):
    """schedule.json, answering an error for what Scrapyd would lose silently."""

    def render_POST(self, txrequest: Any) -> Any:  # noqa: N802 (Twisted's name)
        problem = schedule_problem(txrequest.args)
        if problem:
            raise error.Error(code=http.OK, message=problem.encode())
        return super().render_POST(txrequest)


def schedule_problem(args: dict[bytes, list[bytes]]) -> str | None:
    """Why a schedule.json request must be refused, or None. Values are never echoed."""
    total = sum(len(k) + sum(len(v) for v in values) for k, values in args.items())
    if total > MAX_REQUEST_ARGS_BYTES:
        return f"arguments too large: {total} bytes, at most {MAX_REQUEST_ARGS_BYTES}"
    for key, values in args.items():
        for value in values:
            if len(value) > MAX_VALUE_BYTES:
                return f"{key.decode(errors='replace')[:64]!r} too long: {len(value)} bytes, at most {MAX_VALUE_BYTES}"
            if b"\x00" in value:
                return f"{key.decode(errors='replace')[:64]!r} contains a NUL byte"
        name = key.decode(errors="replace")
        if name in SCRAPYD_PARAMETERS:
            continue
        if not ARGUMENT_NAME.match(name):
            return f"spider argument name {name[:64]!r} is not a plain word (a letter, then letters, digits, '_')"
    for value in args.get(b"jobid", []):
        if not JOB_ID.match(value.decode(errors="replace")):
            return "jobid is not a plain token (a letter or digit, then up to 63 letters, digits, '_', '.', '-')"
    for value in args.get(b"setting", []):
        name, sep, _ = value.decode(errors="replace").partition("=")
        if not sep or not SETTING_NAME.match(name):
            return f"setting {name[:64]!r} is not NAME=VALUE with an upper-case NAME"
    return None


def main() -> int:
    config = Config()
    problems = config_problems(config)
    if config.get("application", "") != APPLICATION:  # else none of these checks would run at start
        problems.append(f"application is {config.get('application', '')!r}, not {APPLICATION}")
    for problem in problems:
        print(f"scrapyd: {problem}", file=sys.stderr)
    return 2 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
