"""Deployment settings from the environment (twelve-factor): one table of ``CINERADAR_*`` variables.

``cineradar/settings.py`` ends by applying ``overrides(os.environ)`` to its own values, so a
variable replaces the settings.py default at Scrapy's "project" priority and ``-s NAME=VALUE``
(priority "cmdline") still wins: **-s > environment > settings.py**. A Scrapyd node is configured
once, through the environment of its daemon (Scrapyd gives every job a copy of it), with no
fork of settings.py and nothing per job (cineradar/scrapyd_guard.py still refuses paths per job).

A bad value stops every command before anything else: one line on stderr that names the
variable and says what is allowed, exit 1 (``ConfigError`` is a ``SystemExit``). An empty value
counts as unset, so an environment file may keep ``CINERADAR_X=`` lines.

``python -m cineradar.config markdown`` writes the table (docs/configuration.md),
``python -m cineradar.config env`` the example environment file (.env.example); tests compare
both checked-in files with this output.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

BACKENDS = ("sqlite", "postgres", "firestore")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
RENDERERS = ("playwright", "splash")


class ConfigError(SystemExit):
    """A bad environment value: the process stops with one line (``str(exc)``) and exit status 1."""

    def __init__(self, message: str) -> None:
        super().__init__(message)  # SystemExit with a str: printed to stderr, exit status 1
        self.message = message

    def __str__(self) -> str:
        return self.message


# ---------------------------------------------------------------- value parsers
# Each takes the raw text and returns the setting's value, or raises ValueError with what is allowed.
def text(value: str) -> str:
    return value


def integer(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"expected an integer, got {value!r}") from None


def boolean(value: str) -> bool:
    lowered = value.lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise ValueError(f"expected true or false, got {value!r}")


def number(value: str) -> float:
    try:
        return float(value)
    except ValueError:
        raise ValueError(f"expected a number, got {value!r}") from None


def choice(*allowed: str, upper: bool = False) -> Callable[[str], str]:
    def parse(value: str) -> str:
        value = value.upper() if upper else value.lower()
        if value not in allowed:
            raise ValueError(f"unknown value {value!r}; allowed: {', '.join(allowed)}")
        return value
    return parse


def backends(value: str) -> list[str]:
    names = [v.strip().lower() for v in value.split(",") if v.strip()]
    bad = [n for n in names if n not in BACKENDS]
    if bad or not names:
        raise ValueError(f"unknown backend {', '.join(map(repr, bad)) or repr(value)}; "
                         f"allowed: a comma-separated list of {', '.join(BACKENDS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"a backend is listed twice in {value!r}")
    return names


def url(*schemes: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in schemes or not parts.netloc:
            raise ValueError(f"expected a {' or '.join(schemes)} URL, got {redact(value)!r}")
        return value
    return parse


def urls(value: str) -> list[str]:
    check = url("http", "https")
    return [check(v.strip()) for v in value.split(",") if v.strip()]


def addresses(value: str) -> list[str]:
    found = [v.strip() for v in value.split(",") if v.strip()]
    bad = [a for a in found if "@" not in a]
    if bad or not found:
        raise ValueError(f"expected comma-separated e-mail addresses, got {value!r}")
    return found


def words(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def day(value: str) -> str:
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a day as YYYY-MM-DD, got {value!r}") from None
    return value


def redact(value: str) -> str:
    """A URL without its password (a DSN may carry one)."""
    parts = urlsplit(value)
    if parts.password:
        return value.replace(f":{parts.password}@", ":***@", 1)
    return value


@dataclass(frozen=True)
class Variable:
    name: str  # the environment variable
    setting: str  # the Scrapy setting it sets
    parse: Callable[[str], Any]
    allowed: str  # what the value may be, for the table
    meaning: str
    example: str  # for .env.example
    secret: bool = False  # never printed, not even in an error line


# ---------------------------------------------------------------- the table
# Group -> variables, in the order of docs/configuration.md and .env.example.
GROUPS: dict[str, list[Variable]] = {
    "Storage": [
        Variable("CINERADAR_STORAGE_BACKENDS", "STORAGE_BACKENDS", backends, "comma-separated: sqlite, postgres, "
                 "firestore", "where items and run records go; the first answers reads", "sqlite,postgres"),
        Variable("CINERADAR_SQLITE_PATH", "SQLITE_PATH", text, "a file path",
                 "the SQLite store (created by a crawl; read commands refuse a missing one)",
                 "/srv/cineradar/cineradar.db"),
        Variable("CINERADAR_SPOOL_DIR", "STORAGE_SPOOL_DIR", text, "a folder path",
                 "writes for a backend that is down wait here (`scrapy storage-replay`)", "/srv/cineradar/spool"),
        Variable("CINERADAR_DATABASE_URL", "DATABASE_URL", url("postgresql", "postgres"), "a postgresql:// URL",
                 "the PostgreSQL backend (plain DATABASE_URL is read too, when this is unset)",
                 "postgresql://cineradar:secret@127.0.0.1:5432/cineradar", secret=True),
        Variable("CINERADAR_FIRESTORE_PROJECT", "GOOGLE_CLOUD_PROJECT", text, "a Google Cloud project id",
                 "the Firestore backend's project (plain GOOGLE_CLOUD_PROJECT is read too)", "my-project"),
        Variable("CINERADAR_FIRESTORE_CREDENTIALS", "FIRESTORE_CREDENTIALS_FILE", text,
                 "a service-account JSON file", "the Firestore backend's credentials (default: Google's own "
                 "lookup, GOOGLE_APPLICATION_CREDENTIALS)", "/etc/cineradar/firestore-sa.json"),
        Variable("CINERADAR_FIRESTORE_EMULATOR_HOST", "FIRESTORE_EMULATOR_HOST", text, "host:port",
                 "a Firestore emulator instead of Google's service (tests, replays)", "127.0.0.1:8080"),
        Variable("CINERADAR_FILES_STORE", "FILES_STORE", text, "a folder or s3:// gs:// ftp:// URI",
                 "where tmdb_tv's logos are stored (Scrapy's FILES_STORE; unset: TMDB_LOGOS_STORE, "
                 "else SQLITE_PATH's folder)",
                 "/srv/cineradar/files"),
    ],
    # Spidermon's Slack and e-mail actions send them for every PARTIAL or FAILED crawl (docs/reliability.md).
    "Alerts": [
        Variable("CINERADAR_ALERT_SLACK_TOKEN", "SPIDERMON_SLACK_SENDER_TOKEN", text, "a Slack bot token",
                 "Spidermon's Slack action: the bot that posts alerts", "xoxb-0000", secret=True),
        Variable("CINERADAR_ALERT_SLACK_CHANNELS", "SPIDERMON_SLACK_RECIPIENTS", words,
                 "comma-separated channels or @users", "Spidermon's Slack action: where alerts go",
                 "#cineradar-alerts"),
        Variable("CINERADAR_ALERT_SMTP_HOST", "SPIDERMON_SMTP_HOST", text, "a host name",
                 "Spidermon's e-mail action: the SMTP server", "smtp.example.org"),
        Variable("CINERADAR_ALERT_SMTP_PORT", "SPIDERMON_SMTP_PORT", integer, "an integer", "its port", "587"),
        Variable("CINERADAR_ALERT_SMTP_TLS", "SPIDERMON_SMTP_ENFORCE_TLS", boolean, "true or false",
                 "STARTTLS before the login (a submission port such as 587)", "true"),
        Variable("CINERADAR_ALERT_SMTP_USER", "SPIDERMON_SMTP_USER", text, "a user name",
                 "its login (none: no login)", "alerts@example.org"),
        Variable("CINERADAR_ALERT_SMTP_PASSWORD", "SPIDERMON_SMTP_PASSWORD", text, "a password", "its password",
                 "secret", secret=True),
        Variable("CINERADAR_ALERT_SMTP_FROM", "SPIDERMON_EMAIL_SENDER", text, "an e-mail address",
                 "the alerts' sender", "cineradar@example.org"),
        Variable("CINERADAR_ALERT_SMTP_TO", "SPIDERMON_EMAIL_TO", addresses, "comma-separated e-mail addresses",
                 "who gets the alerts", "oncall@example.org,data@example.org"),
    ],
    "Sources and browser": [
        Variable("CINERADAR_ENDPOINTS", "ENDPOINTS", text, "a JSON object or a JSON file",
                 "the sources' base URLs, all at once (a replica or mirror)", "/srv/cineradar/endpoints.json"),
        Variable("CINERADAR_TLS_CA_FILE", "TLS_CA_FILE", text, "a PEM file path",
                 "CA certificates trusted besides the system's, for a private mirror (docs/security-tls.md)",
                 "/srv/cineradar/mirror-ca.pem"),
        Variable("CINERADAR_TODAY", "CRAWL_TODAY", day, "YYYY-MM-DD", "the day the crawls take as today "
                 "(default day and date windows), for a replica or mirror of a fixed day", "2026-01-15"),
        Variable("CINERADAR_RENDERER", "TIX_RENDERER", choice(*RENDERERS), ", ".join(RENDERERS),
                 "the TIX.id login's browser", "playwright"),
        Variable("CINERADAR_SPLASH_URL", "SPLASH_URL", url("http", "https"), "an http(s) URL",
                 "the Splash server, with CINERADAR_RENDERER=splash", "http://127.0.0.1:8050"),
        Variable("CINERADAR_CHROMIUM_PATH", "TIX_CHROMIUM_PATH", text, "an executable path",
                 "the Chromium the login drives (default $CHROMIUM_PATH or /usr/bin/chromium)", "/usr/bin/chromium"),
        Variable("CINERADAR_TIX_AUTH_TIMEOUT", "TIX_AUTH_TIMEOUT", number, "seconds",
                 "per TIX.id guest-token/refresh call; a whole round ends within TIX_AUTH_DEADLINE (15 s)", "5"),
        Variable("CINERADAR_GEOCODER_CONTACT", "GEOCODER_CONTACT", text, "an e-mail address or URL",
                 "who to contact about the geocoding requests (sent in the User-Agent; the public Nominatim "
                 "is refused without it)", "data@example.org"),
        Variable("CINERADAR_NOMINATIM_URL", "NOMINATIM_URL", url("http", "https"), "an http(s) URL",
                 "the geocoder (a self-hosted Nominatim; default the public service)", "https://nominatim.example.org"),
    ],
    "Logs and operations": [
        Variable("CINERADAR_LOG_LEVEL", "LOG_LEVEL", choice(*LOG_LEVELS, upper=True), ", ".join(LOG_LEVELS),
                 "Scrapy's log level", "INFO"),
        Variable("CINERADAR_STATS_DUMP_PATH", "STATS_DUMP_PATH", text, "a path with %(name)s",
                 "each crawl's stats as JSON", "/srv/cineradar/stats/%(name)s.json"),
        Variable("CINERADAR_TIMELINE_NODES", "TIMELINE_NODES", urls, "comma-separated http(s) URLs",
                 "the Scrapyd nodes `scrapy timeline` schedules on (default: the schedule's own)",
                 "http://127.0.0.1:6800"),
    ],
}
VARIABLES: list[Variable] = [v for group in GROUPS.values() for v in group]
BY_NAME = {v.name: v for v in VARIABLES}

# Read under their own names (libraries and older deployments use them): listed in
# .env.example and the document, never in settings.py.
SECRETS: dict[str, str] = {
    "TIX_PHONE_NUMBER": "TIX.id login (tix_login, tix-token, the JWT middleware's re-login)",
    "TIX_PASSWORD": "TIX.id login password",
    "TMDB_READ_TOKEN": "TMDB v4 read token (preferred: sent as a header, never in URLs)",
    "TMDB_API_KEY": "TMDB v3 API key, when no read token",
    "SCRAPYD_USERNAME": "`scrapy timeline`'s login to Scrapyd nodes",
    "SCRAPYD_PASSWORD": "its password",
    "GOOGLE_APPLICATION_CREDENTIALS": "Google's own credentials lookup (Firestore), when "
                                      "CINERADAR_FIRESTORE_CREDENTIALS is unset",
    "CINERADAR_WEB_PASSWORD_HASH": "`scrapy web`'s login for review decisions (a werkzeug password hash, "
                                   "never the password)",
}


def overrides(environ: Mapping[str, str]) -> dict[str, Any]:
    """The settings the environment sets, parsed; ConfigError naming every bad variable."""
    values: dict[str, Any] = {}
    problems: list[str] = []
    for var in VARIABLES:
        raw = environ.get(var.name, "").strip()
        if not raw:
            continue
        try:
            values[var.setting] = var.parse(raw)
        except ValueError as exc:
            problems.append(f"{var.name}: {'bad value (not shown: it may hold a secret)' if var.secret else exc}")
    if problems:
        raise ConfigError("cineradar: invalid environment: " + "; ".join(problems))
    return values


# The settings.py values before the environment is applied (the documented defaults).
DEFAULTS: dict[str, Any] = {}


def apply(namespace: dict[str, Any], environ: Mapping[str, str]) -> None:
    """settings.py's last step: its own globals overridden by the environment."""
    changes = overrides(environ)
    if not DEFAULTS:
        DEFAULTS.update({v.setting: namespace.get(v.setting) for v in VARIABLES})
    namespace.update(changes)


# ---------------------------------------------------------------- documents
def defaults() -> dict[str, Any]:
    """settings.py's values of the table's settings (importing it fills DEFAULTS of this module,
    which under ``python -m`` is not ``__main__``)."""
    import cineradar.settings  # noqa: F401
    from cineradar.config import DEFAULTS as filled

    return filled


def _default(var: Variable) -> str:
    value = defaults().get(var.setting)
    if value is None or value == []:
        return "none"
    if isinstance(value, list):
        value = ",".join(map(str, value))
    return f"`{value}`"


def markdown() -> str:
    lines = [
        "# Configuration",
        "",
        "<!-- generated by `python -m cineradar.config markdown > docs/configuration.md`; a test keeps it current -->",
        "",
        "Every deployment setting comes from a `CINERADAR_*` environment variable, so a server (or a",
        "Scrapyd node) is configured once, in its environment, without editing `cineradar/settings.py`.",
        "",
        "**Precedence: `-s NAME=VALUE` > environment > `cineradar/settings.py`.** A variable replaces the",
        "settings.py default of the setting named beside it; `-s` on the command line still wins (Scrapyd",
        "jobs may not use `-s` for these: `SCRAPYD_SETTINGS_ALLOWLIST`). An empty value counts as unset.",
        "A bad value stops every `scrapy` command before it does anything, with one line naming the",
        "variable and what is allowed, exit status 1, e.g.",
        "",
        "    cineradar: invalid environment: CINERADAR_STORAGE_BACKENDS: unknown backend 'mysql'; "
        "allowed: a comma-separated list of sqlite, postgres, firestore",
        "",
        "Start from [`.env.example`](../.env.example) (every variable below, commented out with its",
        "default). Load it with `set -a; . /etc/cineradar/env; set +a` in a shell or cron line, or",
        "`EnvironmentFile=` in a systemd unit (Scrapyd's own unit, so that every job inherits it).",
        "Keep the file readable by the service user only (`chmod 600`): it holds secrets.",
        "",
    ]
    for group, variables in GROUPS.items():
        lines += [f"## {group}", "", "| variable | setting | allowed | default | meaning |", "|---|---|---|---|---|"]
        for var in variables:
            lines.append(f"| `{var.name}` | `{var.setting}` | {var.allowed} | {_default(var)} | "
                         f"{var.meaning}{' (secret)' if var.secret else ''} |")
        lines.append("")
    lines += ["## Secrets read under their own names", "",
              "Not settings: read from the environment only (TIX.id's) or from the environment or `-s`.", "",
              "| variable | meaning |", "|---|---|"]
    lines += [f"| `{name}` | {meaning} |" for name, meaning in SECRETS.items()]
    lines += [
        "",
        "## Scrapyd",
        "",
        "Scrapyd gives each job a copy of its daemon's environment: put the variables in the environment",
        "Scrapyd starts with (e.g. `EnvironmentFile=/etc/cineradar/env` in its systemd unit). Every job",
        "of the node then writes where the environment says; a job cannot move the store with",
        "`setting=SQLITE_PATH=...` (refused by `cineradar/scrapyd_guard.py`).",
        "",
        "## Bounds and defaults worth knowing",
        "",
        "Settings (settings.py or `-s`), not per deployment:",
        "",
        "| setting | default | meaning |",
        "|---|---|---|",
    ]
    lines += [f"| `{name}` | {_setting_default(name)} | {meaning} |" for name, meaning in BOUNDS.items()]
    lines += [
        "",
        "## Refused before a crawl starts",
        "",
        "`scrapy crawl` checks these before the crawler exists: one line on stderr, exit status 2, nothing",
        "fetched, no run record (under Scrapyd the job fails at start: one ERROR line, a FAILED run record).",
        "",
        "- a spider name that does not exist (`no spider named 'reperturay'; did you mean 'repertuary'?`);",
        "- an unknown `-a` argument (`-a cty: unknown argument; did you mean 'city'?`); only Scrapyd's own",
        "  `_job`, `_version` and `_project` are accepted besides each spider's arguments;",
        "- an unknown city; city names are accepted with or without diacritics and in any case",
        "  (`-a city=Łódź,Kraków`, `-a cities=jakarta`), a near miss gets a \"did you mean\";",
        "- a CSV feed (`-O out.csv`, or FEEDS with format csv) that would get several entities: a CSV has one",
        "  header. Write one CSV per entity with FEEDS and `item_classes`, or JSON Lines. Nested fields of",
        "  a per-entity CSV (a seat layout, a summary's chains) are written as JSON;",
        "- a repertuary crawl on a JOBDIR that a repertuary crawl has used: its day pages belong to site",
        "  sessions that ended with the process, so a resume would come back PARTIAL. Start again with an",
        "  empty JOBDIR.",
        "",
        "The commands that only read the store (`stored`, `daily-summary`, `tmdb-review`, `tix-aggregates`,",
        "`storage-replay`) refuse a SQLite path where no store exists (exit status 1, one line) instead of",
        "creating an empty one.",
        "",
    ]
    return "\n".join(lines)


# Settings documented with their settings.py defaults (not deployment variables).
BOUNDS: dict[str, str] = {
    "TIX_AUTH_TIMEOUT": "seconds per TIX.id guest-token or refresh call (also `CINERADAR_TIX_AUTH_TIMEOUT`)",
    "TIX_AUTH_ATTEMPTS": "calls per guest-token or refresh round (backoff 0.5 s, doubled)",
    "TIX_AUTH_DEADLINE": "seconds a whole round may take: a dead or hanging auth endpoint fails the crawl "
                         "within 30 s (one ERROR line, FAILED, exit 1)",
    "TIX_AUTH_FAILURE_COOLDOWN": "seconds a failed round is not tried again: requests needing a token fail fast",
    "CRAWL_TODAY": "the day the crawls take as today: each spider's default day and its `-a date` window "
                   "(also `CINERADAR_TODAY`); none: today in each source's time zone",
}


def _setting_default(name: str) -> str:
    import cineradar.settings as project

    value = defaults()[name] if name in defaults() else getattr(project, name, None)
    return "none" if value is None else f"`{value:g}`" if isinstance(value, float) else f"`{value}`"


def env_example() -> str:
    lines = ["# CineRadar's environment: every variable, commented out with its default (docs/configuration.md).",
             "# Generated by `python -m cineradar.config env > .env.example`; keep the real file chmod 600.", ""]
    for group, variables in GROUPS.items():
        lines.append(f"# ---- {group}")
        for var in variables:
            default = defaults().get(var.setting)
            shown = ",".join(map(str, default)) if isinstance(default, list) else "" if default is None else default
            lines += [f"# {var.meaning} ({var.allowed}); e.g. {var.example}", f"# {var.name}={shown}"]
        lines.append("")
    lines.append("# ---- Secrets read under their own names")
    for name, meaning in SECRETS.items():
        lines += [f"# {meaning}", f"# {name}="]
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    outputs = {"markdown": markdown, "env": env_example}
    if len(argv) != 1 or argv[0] not in outputs:
        print("usage: python -m cineradar.config markdown|env", file=sys.stderr)
        return 2
    sys.stdout.write(outputs[argv[0]]())
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
