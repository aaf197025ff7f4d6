"""TMDB API v3 replica: catalogue (films of the shared universe, decoys, TV shows) and
the /3/ endpoints a crawler uses. See docs/sources/tmdb.md#replica-contract."""

from replica.tmdb.api import build_app, build_image_app
from replica.tmdb.data import Dataset, build_dataset, truth

__all__ = ["Dataset", "build_app", "build_image_app", "build_dataset", "truth"]
