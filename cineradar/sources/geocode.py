"""The geocoder (issue 20, docs/sources/geocoding.md): OpenStreetMap's public Nominatim by default.

A self-hosted Nominatim (the usual choice at scale) is NOMINATIM_URL (or ENDPOINTS' "nominatim").
Its politeness settings (GEOCODER_*) are still in settings.py; the spider puts GEOCODER_RATE_LIMIT
into SITE_RATE_LIMITS["nominatim"].
"""

from __future__ import annotations

from cineradar.sources import Source, declare

SOURCE = declare(Source(
    name="geocode",
    endpoints={"nominatim": "NOMINATIM_URL"},
    urls={"NOMINATIM_URL": "https://nominatim.openstreetmap.org"},
    site="nominatim",
    replica="replica.nominatim",
))
