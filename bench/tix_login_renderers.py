"""Benchmark: one TIX.id login with each renderer (TIX_RENDERER), against the same replica.

    .venv/bin/python bench/tix_login_renderers.py [--runs 5]

Starts the replica (tiny preset) and a Splash server (tools/local_servers.py; needs
scripts/install-splash), then logs in ``--runs`` times through each renderer, as ``scrapy
tix-token`` and the JWT middleware do: Playwright launches Debian's Chromium for each login;
Splash is a server already running (a farm), so its start-up is measured once, apart.
Prints every run and the median per renderer.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import CREDENTIALS, ReplicaProcess  # noqa: E402
from cineradar.auth.login import PLAYWRIGHT, LoginOptions  # noqa: E402
from cineradar.auth.splash_login import SplashRenderer  # noqa: E402
from cineradar.auth.tokens import Credentials  # noqa: E402
from tools.local_servers import SplashServer  # noqa: E402


async def timed(login) -> float:  # noqa: ANN001
    started = time.perf_counter()
    tokens = await login()
    assert tokens.token.startswith("eyJ")
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    opts = parser.parse_args()
    credentials = Credentials(CREDENTIALS["TIX_PHONE_NUMBER"], CREDENTIALS["TIX_PASSWORD"])
    with ReplicaProcess("--host", "127.0.0.1", "--port", "0", "--preset", "tiny") as replica:
        app = replica.urls["tix_app"]
        started = time.perf_counter()
        with SplashServer() as splash:
            startup = time.perf_counter() - started
            options = LoginOptions(app_url=app)  # the one login path, with each renderer
            renderers = {
                "playwright": lambda: PLAYWRIGHT.login(credentials, options),
                "splash": lambda: SplashRenderer(splash.url).login(credentials, options),
            }
            results: dict[str, list[float]] = {}
            for name, login in renderers.items():
                results[name] = [asyncio.run(timed(login)) for _ in range(opts.runs)]
    print(f"Splash server start-up (once per farm node): {startup:.2f} s")
    for name, times in results.items():
        print(f"{name:10s} median {statistics.median(times):.2f} s  runs: {' '.join(f'{t:.2f}' for t in times)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
