"""``scrapy web``: serve the web view of the store (cineradar/web/) on 127.0.0.1."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from cineradar.commands import ProjectCommand

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


class Command(ProjectCommand):
    usage = "[--host 127.0.0.1] [--port 8000]"
    summary = "Serve web pages of what the store holds (runs, TIX.id days, seat maps, movies, review queue)"
    description = (
        "Serves the web view of the first SQL store of STORAGE_BACKENDS (SQLite or PostgreSQL): today's "
        "runs, a TIX.id day, showtimes with their seat maps, theatres, movies across sources, the "
        "repertuary week, the TMDB review queue and a data explorer. The first line printed is the URL. "
        "--port 0 picks a free port. Binds 127.0.0.1 unless --host says otherwise (then put it behind a "
        "TLS proxy). Review decisions need the login: CINERADAR_WEB_PASSWORD_HASH. "
        "Stop it with Ctrl-C."
    )
    exit_status = ("0  stopped", "1  the store could not be opened", "2  bad arguments")

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
        parser.add_argument("--port", type=int, default=8000, help="port (0: any free port; default 8000)")
        parser.add_argument("--threads", type=int, default=4, help="worker threads (default 4)")

    def main(self, settings: BaseSettings, opts: argparse.Namespace) -> int:
        from waitress.server import create_server

        from cineradar.endpoints import Endpoints
        from cineradar.web.app import create_app
        from cineradar.web.store import open_store

        if not 0 <= opts.port <= 65535:
            print(f"web: --port must be 0-65535, got {opts.port}", file=sys.stderr)
            return 2
        try:
            reader, backends = open_store(settings)
            reader.ensure_indexes()
        except Exception as exc:  # noqa: BLE001 - one line for the user, not a traceback
            print(f"web: storage could not be opened ({type(exc).__name__}: {exc})", file=sys.stderr)
            return 1
        endpoints = Endpoints.from_settings(settings)  # ENDPOINTS' tmdb_image, else TMDB_IMAGE_URL
        remote_images = settings.getbool("WEB_REMOTE_IMAGES")
        app = create_app(reader, backends, image_url=endpoints.tmdb_image,
                         login_for_reads=settings.getbool("WEB_LOGIN_FOR_READS"), remote_images=remote_images,
                         # a TMDB image host ENDPOINTS names was chosen on purpose (a replica, a mirror)
                         tmdb_images=remote_images or "tmdb_image" in (endpoints.given or ()))
        server = create_server(app, host=opts.host, port=opts.port, threads=opts.threads, ident="cineradar")
        host = opts.host if ":" not in opts.host else f"[{opts.host}]"
        print(f"http://{host}:{server.effective_port}/", flush=True)  # type: ignore[union-attr]
        print(f"web: serving {reader.backend.name} read-only pages; Ctrl-C stops", file=sys.stderr, flush=True)
        try:
            server.run()
        except KeyboardInterrupt:
            pass
        finally:
            server.close()
            for backend in backends:
                backend.close()
        return 0
