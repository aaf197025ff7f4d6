"""A Nominatim-compatible geocoder (/search) that knows where every replica theatre and cinema is.

build_dataset/truth are pure (replica/nominatim/data.py); build_app serves one dataset.
"""

from replica.nominatim.data import NominatimDataset, build_dataset, truth
from replica.nominatim.site import build_app

__all__ = ["NominatimDataset", "build_app", "build_dataset", "truth"]
