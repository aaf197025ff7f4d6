"""The TIX.id part of the replica: app.tix.id (pages) and api-b2b.tix.id (JSON API).

build_dataset/truth are pure; build_app_site/build_api_site serve one dataset.
"""

from replica.tix.api import build_api_site
from replica.tix.app import build_app_site
from replica.tix.data import TixDataset, build_dataset, truth

__all__ = ["TixDataset", "build_api_site", "build_app_site", "build_dataset", "truth"]
