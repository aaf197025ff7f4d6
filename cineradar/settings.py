"""Project settings: production politeness by default; everything overridable with -s."""

import os

from cineradar import __version__, config, sources

BOT_NAME = "cineradar"
SPIDER_MODULES = ["cineradar.spiders"]
NEWSPIDER_MODULE = "cineradar.spiders"
# Only the `crawl` override (its exit code): the other commands are entry points (setup.py),
# and Scrapyd runs `scrapy crawl` from the egg, where this setting is what finds it.
COMMANDS_MODULE = "cineradar.commands.crawl"

USER_AGENT = f"CineRadar/{__version__} (+https://github.com/cineradar/cineradar)"
ROBOTSTXT_OBEY = False  # the original never read robots.txt; sources are APIs and listing pages

# ---------------------------------------------------------------- source endpoints
# Real hosts: each source's URL settings (TIX_APP_URL, REPERTUARY_URLS...) are declared with it
# (cineradar/sources/, the "sources" block below). ENDPOINTS (JSON object or file) overrides them all at once.
# CINERADAR_ENDPOINTS in the environment: the operator's choice for every crawl of the process
# (e.g. Scrapyd's jobs, which may not set ENDPOINTS themselves); see the environment block at the end.
ENDPOINTS = None
# The day `-a date` windows count from (YYYY-MM-DD), for a replica or mirror of a fixed day;
# None: today in each source's timezone (cineradar/args/base.py). CINERADAR_TODAY sets it per process.
CRAWL_TODAY = None

# ---------------------------------------------------------------- politeness
# Every spider sets download slots per logical session; a slot's delay is DOWNLOAD_DELAY.
# Applied by CineSpider.update_settings to the project's spiders only (priority "project", so
# -s and custom_settings still win): `scrapy bench` and other foreign spiders run at framework speed.
SPIDER_POLITENESS = {"DOWNLOAD_DELAY": 2.0,  # the original's rate_limit_seconds for repertuary
                     "CONCURRENT_REQUESTS_PER_DOMAIN": 1}  # per slot: a session's requests never overlap
# No jitter: Scrapy draws a new random delay each time a slot wakes up, so a ±50% jitter
# made the mean gap 2.45 s for a 2 s delay (measured), 20% slower at no gain in politeness.
DOWNLOAD_DELAY_JITTER = 0.0
CONCURRENT_REQUESTS = 16
DOWNLOAD_TIMEOUT = 30  # the original's HTTPoison timeout
RETRY_TIMES = 3
RETRY_HTTP_CODES = [500, 502, 503, 504, 522, 524, 408, 429]
# REPERTUARY_SHARE_SESSION, REPERTUARY_SESSIONS, REPERTUARY_MAX_ATTEMPTS: cineradar/sources/repertuary.py

# ---------------------------------------------------------------- scrapy check
# Contracts reach only ENDPOINTS' hosts (cineradar/contracts.py): @endpoint replaces @url,
# which is off so that no docstring can send `scrapy check` to a real site.
SPIDER_CONTRACTS = {"cineradar.contracts.EndpointContract": 10, "scrapy.contracts.default.UrlContract": None}

# ---------------------------------------------------------------- TIX.id auth
# The JWT middleware raises NotConfigured for spiders that do not set tix_auth = True.
DOWNLOADER_MIDDLEWARES = {"cineradar.middlewares.jwt_auth.TixJwtAuthMiddleware": 560,
                          # Retries that honour Retry-After and back off (cineradar/middlewares/retry.py)
                          "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
                          "cineradar.middlewares.retry.RetryAfterMiddleware": 550}
RETRY_AFTER_MAX = 120  # seconds: the longest Retry-After (429/503) honoured; longer ones wait this long
RETRY_BACKOFF_BASE = 0.5  # seconds before the 1st retry of other faults, doubled per retry, half of it jitter
RETRY_BACKOFF_MAX = 30  # seconds: the backoff's ceiling
TIX_AUTH_ENABLED = None  # None: auto (project spiders with tix_auth = True, other spiders: shell/fetch); 1/0 force
TIX_REFRESH_MARGIN_MINUTES = 5  # refresh proactively below this (at most a quarter of the token's lifetime)
TIX_AUTH_MAX_RETRIES = 3  # token renewals per request on 401
TIX_AUTH_FAILURE_COOLDOWN = 30  # seconds a failed login/refresh/guest-token call is not retried: requests fail fast
TIX_AUTH_TIMEOUT = 5.0  # seconds per auth API call (guest token, refresh); None: DOWNLOAD_TIMEOUT
TIX_AUTH_ATTEMPTS = 4  # attempts per guest-token/refresh round (backoff 0.5 s, doubled)
TIX_AUTH_DEADLINE = 15.0  # seconds per round (attempts and backoff): a dead auth endpoint fails a crawl in < 30 s
TIX_CHROMIUM_PATH = None  # default: $CHROMIUM_PATH or /usr/bin/chromium
TIX_LOGIN_TIMEOUT = 60  # seconds per browser step of the login
TIX_LOGIN_HEADLESS = True
TIX_RENDERER = "playwright"  # the login's browser: "playwright" (maintained default) or "splash" (a Splash server)
SPLASH_URL = "http://127.0.0.1:8050"  # the Splash server; run it with --dont-log-args phone,password
TIX_SPLASH_ATTEMPTS = 3  # Splash 5xx / render timeouts: attempts per login
TIX_SPLASH_TIMEOUT = 90  # Splash's render limit for the login script, at most the server's --max-timeout
# TIX.id API politeness: each spider's requests share one download slot, "tix_api".
TIX_MOVIES_CONCURRENCY = 4  # E3/E4 requests in flight (83 cities in ~10 s at 50 ms latency)
TIX_MOVIES_DELAY = 0.0
TIX_SEATS_CONCURRENCY = 32  # E5 layout requests in flight (>= 300 layouts/s at 50 ms latency)
TIX_SEATS_DELAY = 0.0
TIX_SEATS_HTTP_HANDLER = "aiohttp"  # or "twisted" (see cineradar/compat.py)
TIX_PAYLOAD_RETRIES = 3  # extra retries of a page/layout whose body is truncated or success:false
TIX_MAX_SCHEDULE_PAGES = 50  # E4 pages per movie and city (Jakarta needs 9)

# ---------------------------------------------------------------- politeness per site
# SITE_RATE_LIMITS: at most this many requests per second to one site, across all its sessions
# (download slots), on top of DOWNLOAD_DELAY per slot; SITE_DOMAINS: host or parent domain -> site,
# for requests whose spider sets no meta["site"]. Both from the sources' declarations (each source's
# `rate_limit` and `domains`, cineradar/sources/). Sites not listed are not capped. Late in the chain
# (950) so that a request answered by an earlier middleware (cache) takes no turn.
DOWNLOADER_MIDDLEWARES["cineradar.middlewares.site_rate.SiteRateMiddleware"] = 950

# ---------------------------------------------------------------- items
# Scrapy's pipeline manager, counting item_scraped_count itself instead of CoreStats' item_scraped
# receiver (a task per item in Scrapy 2.19): cineradar/pipelines/manager.py.
ITEM_PROCESSOR = "cineradar.pipelines.manager.ItemProcessor"
ITEM_PIPELINES = {
    "cineradar.pipelines.validate.ValidationPipeline": 300,
    "cineradar.pipelines.dedup.DedupPipeline": 400,
    "cineradar.pipelines.freshness.FreshnessPipeline": 500,
    "cineradar.pipelines.store.StorePipeline": 800,
}
# FRESHNESS_HOURS (item source -> hours; sources not listed are never skipped): from the declarations

# ---------------------------------------------------------------- storage
STORAGE_BACKENDS = ["sqlite"]  # any of: sqlite, postgres, firestore
SQLITE_PATH = "data/cineradar.db"
STORAGE_BATCH_SIZE = 500
STORAGE_RETRY_TIMES = 3
STORAGE_RETRY_BACKOFF = 0.5  # seconds, doubled per retry
STORAGE_SPOOL_DIR = "data/spool"
STORAGE_SPOOL_RETRY_INTERVAL = 5.0  # seconds between replays of a backend's spool during a crawl
# postgres: DATABASE_URL (settings or, better, the environment: it may hold a password)
# firestore: GOOGLE_CLOUD_PROJECT, FIRESTORE_EMULATOR_HOST (a local emulator), FIRESTORE_TIMEOUT (s)
FIRESTORE_TIMEOUT = 20.0

# ---------------------------------------------------------------- framework
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORTERS = {"csv": "cineradar.exporters.IsoCsvItemExporter"}  # datetimes as ISO 8601 (docs/data.md)
LOG_LEVEL = "INFO"
TELNETCONSOLE_ENABLED = False

EXTENSIONS = {
    "cineradar.extensions.storage_hub.StorageHub": 50,  # the open backends; components get it by get_extension
    "cineradar.extensions.outcome.CrawlOutcome": 100,  # status, run record, exit code (commands/crawl.py)
    "cineradar.extensions.tix_aggregates.TixAggregates": 90,  # day schedules/snapshots from the store, at close
    "cineradar.extensions.stats_dump.StatsDump": 500,
    "cineradar.extensions.progress.Progress": 510,  # done/total, ETA, items, errors at INFO
    "cineradar.extensions.quiet_logs.QuietLogs": 0,  # drops dependencies' noise (not about the crawl)
}
PROGRESS_INTERVAL = 10.0  # seconds between progress lines; 0 turns them off
# Python's garbage collector tuned for the crawl once the spider opens (cineradar/extensions/gc_tuning.py):
# start-up objects frozen, the youngest generation collected after GC_GEN0_THRESHOLD new objects
# (Python's 700 made the collector a fifth of the seat crawl's CPU; 0 leaves Python's threshold).
EXTENSIONS["cineradar.extensions.gc_tuning.GcTuning"] = 1
GC_FREEZE = True
GC_GEN0_THRESHOLD = 10_000
TIX_AGGREGATES_ENABLED = True
CRAWL_RUN_RECORDS = True  # a crawl_runs row per crawl (running at open, success/partial/failed at close)
STORE_READ_ONLY = False  # set by shell/fetch/parse/check/bench/view: no run record, no item stored, no store created
STATS_DUMP_PATH = None  # e.g. "data/stats/%(name)s.json"
STATS_CLASS = "cineradar.stats_collector.UnwrappedStatsCollector"  # a stats dump LogParser/ScrapydWeb read whole

# ---------------------------------------------------------------- Scrapyd (cineradar/scrapyd_guard.py)
# A job's -s values are screened by the crawl command before the settings exist (not an add-on:
# a job could remove an add-on with its own ADDONS).
SCRAPYD_JOB_REFUSED = None  # set by the crawl command only: why a job's settings were refused
# The only settings a Scrapyd job may override (schedule.json setting=NAME=VALUE); any other
# refuses the job. Never paths, endpoints, browser options or politeness.
SCRAPYD_SETTINGS_ALLOWLIST = ["LOG_LEVEL", "CLOSESPIDER_TIMEOUT", "CLOSESPIDER_ITEMCOUNT",
                              "CLOSESPIDER_PAGECOUNT", "CLOSESPIDER_ERRORCOUNT", "PROGRESS_INTERVAL"]
SCRAPYD_LOGS_DIR = "logs"  # scrapyd.conf's logs_dir: the LOG_FILE Scrapyd gives a job is accepted

# ---------------------------------------------------------------- secrets (docs/security.md)
# Scrapy 2.19's RemoteControl runs any Python code sent with the token in its job file, inside a
# crawl that holds every credential: off unless asked for (-s REMOTE_CONTROL_ENABLED=True).
REMOTE_CONTROL_ENABLED = False

# ---------------------------------------------------------------- monitors (cineradar/monitors.py)
SPIDERMON_ENABLED = True
# Spidermon's extension, imported at spider close when its suite runs (not at every crawl start)
EXTENSIONS["cineradar.extensions.monitoring.LazySpidermon"] = 95  # its spider_closed runs the suite
EXTENSIONS["cineradar.extensions.previous_run.PreviousRun"] = 96  # reads the previous run record at spider open
SPIDERMON_SPIDER_CLOSE_MONITORS = ["cineradar.monitors.SpiderCloseSuite"]
# MONITOR_MIN_ITEMS (spider -> items; else 0): from the sources' declarations
MONITOR_MAX_ERRORS = None  # ERROR lines allowed before the crawl is PARTIAL; None: not checked
MONITOR_MAX_INVALID_RATIO = 0.05  # items dropped by validation
MONITOR_MIN_THEATRES_RATIO = 0.7  # tix_movies theatres per city against the previous run
MONITOR_MAX_SEAT_FAILURE_RATIO = 0.01  # tix_seats failures other than 'started'
MONITOR_MIN_MATCH_RATE = 0.8  # tmdb_match: matched among the listings decided, per source
MONITOR_MATCH_RATE_MIN_LISTINGS = 10  # ...checked from this many decided listings of a source
MONITOR_MIN_ITEMS_RATIO = 0.7  # items against the previous successful run (a drop over 30% fails)

# ---------------------------------------------------------------- alerts (cineradar/alerts.py, docs/reliability.md)
# Sent for every PARTIAL or FAILED crawl through Spidermon's actions; each is on once its settings are.
SPIDERMON_SLACK_SENDER_TOKEN = None  # a bot token (chat:write); better from the environment
SPIDERMON_SLACK_RECIPIENTS: list[str] = []  # e.g. ["#cineradar-alerts"]
SPIDERMON_SLACK_SENDER_NAME = "cineradar"
ALERT_SLACK_API_URL = "https://slack.com/api/"  # Slack's Web API base
SPIDERMON_SMTP_HOST = None
SPIDERMON_SMTP_PORT = 25
SPIDERMON_SMTP_USER = None  # optional (a local relay needs none)
SPIDERMON_SMTP_PASSWORD = None
SPIDERMON_EMAIL_SENDER = "cineradar@localhost"
SPIDERMON_EMAIL_TO: list[str] = []
TIMELINE_FILE = "timeline.toml"  # `scrapy timeline`'s schedule (cineradar/timeline.py)
TIMELINE_STATE = ".scrapy/timeline-state.json"  # what it started, when, where (survives a restart)
TIMELINE_NODES: list[str] = []  # Scrapyd URLs; empty: the schedule's `nodes`
TIMELINE_INTERVAL = 5.0  # seconds between checks
TIMELINE_CLOCK_URL = None  # tests and replays: "now" from a clock service (the replica's /_replica/clock)

# ---------------------------------------------------------------- TMDB
# Credentials: TMDB_READ_TOKEN (Authorization: Bearer, preferred: the secret stays out of URLs)
# or TMDB_API_KEY (api_key query parameter, added only at download time, see cineradar/handlers.py).
# Set them in the environment (or -s); a TMDB crawl without either fails before any request.
TMDB_READ_TOKEN = None
TMDB_API_KEY = None
TMDB_RATE_LIMIT = 35.0  # requests/s over every TMDB request of a crawl (TMDB answers 429 around 40/s);
# the TMDB spiders put it into SITE_RATE_LIMITS["tmdb"] (cineradar/spiders/tmdb_base.py)
TMDB_CONCURRENCY = 16  # TMDB requests in flight: enough to reach the rate at ~0.4 s latency
TMDB_LANGUAGE = "en-US"
TMDB_REGION = "PL"
TMDB_LOGOS_STORE = None  # FILES_STORE for tmdb_tv's logos unless FILES_STORE is set; None: SQLITE_PATH's folder
ITEM_PIPELINES["cineradar.pipelines.logos.LogoPipeline"] = 450  # only for spiders with store_logos = True

# ---------------------------------------------------------------- geocoding (issue 20, docs/sources/geocoding.md)
# The geocoder's URL (NOMINATIM_URL): cineradar/sources/geocode.py.
# Who to contact about our requests (an e-mail address or URL), sent in the User-Agent as Nominatim's
# usage policy asks; the public service is refused without it. CINERADAR_GEOCODER_CONTACT sets it.
GEOCODER_CONTACT = None
GEOCODER_RATE_LIMIT = 1.0  # requests/s to the geocoder (public service: at most 1), into SITE_RATE_LIMITS["nominatim"]
# Seconds added to each gap (1/rate), so that connection set-up and network jitter never bring two requests
# closer than 1/rate at the geocoder (the original waited 1.1 s between calls).
GEOCODER_GAP_MARGIN = 0.1
GEOCODER_RESULTS = 5  # `limit` of each query: enough to see an ambiguous answer or one outside the city

# ---------------------------------------------------------------- web view (scrapy web; docs/web.md)
WEB_LOGIN_FOR_READS = False  # True: every page needs the login (CINERADAR_WEB_PASSWORD_HASH), not only review writes
# False: posters (hosted by TIX.id, or TMDB's image host) as links, for a view that must not reach the internet;
# TMDB posters stay images when ENDPOINTS names the `tmdb_image` host (a replica or a mirror chosen on purpose)
WEB_REMOTE_IMAGES = True

# ---------------------------------------------------------------- TLS (cineradar/tls.py, docs/security-tls.md)
# Every certificate is verified (Scrapy 2.19 ships False). A certificate that does not verify
# ends the crawl at once, FAILED, one line naming the host (cineradar/middlewares/tls_failure.py).
DOWNLOAD_VERIFY_CERTIFICATES = True
# An extra PEM CA bundle trusted besides the system's roots (private mirrors): Scrapy's
# handlers, the TIX.id auth client, Splash, Chromium, PostgreSQL (sslrootcert). CINERADAR_TLS_CA_FILE sets it.
TLS_CA_FILE = None
DOWNLOAD_HANDLERS = {"https": "cineradar.handlers.Http11DownloadHandler"}  # Scrapy's, + TLS_CA_FILE
DOWNLOADER_MIDDLEWARES["cineradar.middlewares.tls_failure.TlsFailureMiddleware"] = 555  # before retries

# ---------------------------------------------------------------- sources (cineradar/sources/, docs/adding-a-source.md)
# Each source's declaration gives its settings' defaults: URL settings (TIX_APP_URL, TIX_API_URL,
# TMDB_API_URL, TMDB_IMAGE_URL, NOMINATIM_URL, REPERTUARY_URLS), FRESHNESS_HOURS, SITE_RATE_LIMITS,
# SITE_DOMAINS, MONITOR_MIN_ITEMS, its own settings (REPERTUARY_SESSIONS...) and its spiders' modules.
# Sources kept outside cineradar/: CINERADAR_SOURCE_MODULES (comma-separated modules) in the environment.
_declared = sources.settings_defaults()
SPIDER_MODULES = [*SPIDER_MODULES, *_declared.pop("SPIDER_MODULES")]
globals().update(_declared)

# ---------------------------------------------------------------- environment (cineradar/config.py)
# Deployment settings from CINERADAR_* variables (docs/configuration.md): they replace the values
# above at this module's ("project") priority, so -s still wins. Keep this block last.
FIRESTORE_CREDENTIALS_FILE = None  # a service-account JSON file; None: Google's own lookup
config.apply(globals(), os.environ)
