"""kino.krakow.pl / repertuary.pl: 29 city sites of one Rails application, replicated offline.

Exports what replica/server.py calls: CITIES, build_dataset, truth, build_city_app. Each city
is its own aiohttp application bound on its own 127.0.0.1 port; the facts copied are in
docs/sources/repertuary.md.
"""

from replica.repertuary.cities import CITIES
from replica.repertuary.data import Dataset, build_dataset, truth
from replica.repertuary.site import build_city_app

__all__ = ["CITIES", "Dataset", "build_city_app", "build_dataset", "truth"]
