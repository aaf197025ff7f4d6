"""Old home of the backend factory: only ``commands/tix_token.py`` still imports it.

That file is being rewritten on another branch; once it imports from cineradar.backends,
delete this module. New code uses cineradar.backends (commands) and
cineradar.extensions.storage_hub (a crawl's components).
"""

from cineradar.backends import SPECS, backend_options

__all__ = ["SPECS", "backend_options"]
