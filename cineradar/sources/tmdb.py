"""TMDB (docs/sources/tmdb.md): the v3 API and its image host (logos).

Its credentials, rate and language settings (TMDB_*) are still in settings.py; the TMDB spiders
put TMDB_RATE_LIMIT into SITE_RATE_LIMITS["tmdb"] (cineradar/spiders/tmdb_base.py).
"""

from __future__ import annotations

from cineradar.sources import Source, declare

SOURCE = declare(Source(
    name="tmdb",
    endpoints={"tmdb": "TMDB_API_URL", "tmdb_image": "TMDB_IMAGE_URL"},
    # TMDB_IMAGE_URL: logos are fetched from here (+ the logo path)
    urls={"TMDB_API_URL": "https://api.themoviedb.org", "TMDB_IMAGE_URL": "https://image.tmdb.org/t/p/original"},
    site="tmdb",
    replica="replica.tmdb",
))
