"""CineRadar: a Scrapy crawler of cinema data (TIX.id, repertuary.pl, TMDB)."""

__version__ = "0.1.0"
