"""Every source's credentials, Scrapy-free. TIX.id: tokens, refresh, guest tokens and the one browser login;
TMDB: ``tmdb``, the token or API key (added to requests by cineradar.handlers.TmdbAuthDownloadHandler).

- ``tokens``: the token document (state "tix_jwt"), JWT expiry and clock skew, credentials, errors.
- ``api``: the auth API (guest token, refresh) over aiohttp.
- ``login``: THE browser login every caller goes through, behind a small renderer interface.
- ``manager``: TokenManager (single flight, proactive refresh, re-login, cooldowns) and
  ``build_manager``, which the JWT middleware, the tix_login spider and ``scrapy tix-token`` use.
"""
