"""A faithful local replica of TIX.id, kino.krakow.pl / repertuary.pl and TMDB.

Separate from the crawler: it never imports ``cineradar``. See README.md, "The replica".
"""

from replica.core import Clock, Context, Fault, Knobs
from replica.server import PRESETS, Replica, build_datasets, truth

__all__ = ["PRESETS", "Clock", "Context", "Fault", "Knobs", "Replica", "build_datasets", "truth"]
