"""Fixed lookup tables of the TMDB replica: genres, countries, languages, networks, providers.

Genre ids are TMDB's. Network and watch-provider ids follow TMDB where known; the
Polish and Indonesian ones and all logo paths are made up (marked "designed").
"""

from __future__ import annotations

# TMDB movie genres: id -> (en, pl, id) names. English names and ids are TMDB's; the
# Polish and Indonesian names stand in for TMDB's localised genre lists (designed).
MOVIE_GENRES: dict[int, tuple[str, str, str]] = {
    28: ("Action", "Akcja", "Laga"),
    12: ("Adventure", "Przygodowy", "Petualangan"),
    16: ("Animation", "Animacja", "Animasi"),
    35: ("Comedy", "Komedia", "Komedi"),
    80: ("Crime", "Kryminał", "Kejahatan"),
    99: ("Documentary", "Dokumentalny", "Dokumenter"),
    18: ("Drama", "Dramat", "Drama"),
    10751: ("Family", "Familijny", "Keluarga"),
    14: ("Fantasy", "Fantasy", "Fantasi"),
    36: ("History", "Historyczny", "Sejarah"),
    27: ("Horror", "Horror", "Horor"),
    10402: ("Music", "Muzyczny", "Musik"),
    9648: ("Mystery", "Tajemnica", "Misteri"),
    10749: ("Romance", "Romans", "Romantis"),
    878: ("Science Fiction", "Sci-Fi", "Fiksi Ilmiah"),
    10770: ("TV Movie", "Film TV", "Film TV"),
    53: ("Thriller", "Thriller", "Cerita Seru"),
    10752: ("War", "Wojenny", "Perang"),
    37: ("Western", "Western", "Western"),
}

TV_GENRES: dict[int, tuple[str, str, str]] = {
    10759: ("Action & Adventure", "Action & Adventure", "Action & Adventure"),
    16: ("Animation", "Animacja", "Animasi"),
    35: ("Comedy", "Komedia", "Komedi"),
    80: ("Crime", "Kryminał", "Kejahatan"),
    99: ("Documentary", "Dokumentalny", "Dokumenter"),
    18: ("Drama", "Dramat", "Drama"),
    10751: ("Family", "Familijny", "Keluarga"),
    10762: ("Kids", "Dla dzieci", "Anak"),
    9648: ("Mystery", "Tajemnica", "Misteri"),
    10765: ("Sci-Fi & Fantasy", "Sci-Fi & Fantasy", "Sci-Fi & Fantasy"),
    10768: ("War & Politics", "War & Politics", "War & Politics"),
}

# replica.films stores genres the way repertuary prints them (Polish); TMDB uses ids.
FILM_GENRE_IDS: dict[str, int] = {
    "akcja": 28, "przygodowy": 12, "animacja": 16, "komedia": 35, "dramat": 18, "familijny": 10751,
    "fantasy": 14, "horror": 27, "muzyka": 10402, "musical": 10402, "romans": 10749, "sci-fi": 878,
    "dreszczowiec": 53, "thriller": 53,
}

# English country names as replica.films holds them -> ISO 3166-1.
COUNTRY_CODES: dict[str, str] = {
    "United States of America": "US", "United Kingdom": "GB", "Ireland": "IE", "Germany": "DE",
    "Poland": "PL", "Indonesia": "ID", "Japan": "JP", "Ukraine": "UA", "France": "FR",
    "South Korea": "KR", "Canada": "CA", "Italy": "IT", "Spain": "ES",
}
COUNTRY_NAMES = {code: name for name, code in COUNTRY_CODES.items()}

# iso_639_1 -> (english_name, native name)
LANGUAGES: dict[str, tuple[str, str]] = {
    "en": ("English", "English"), "pl": ("Polish", "Polski"), "id": ("Indonesian", "Bahasa indonesia"),
    "ja": ("Japanese", "日本語"), "de": ("German", "Deutsch"), "uk": ("Ukrainian", "Український"),
    "fr": ("French", "Français"), "ko": ("Korean", "한국어/조선말"), "es": ("Spanish", "Español"),
    "it": ("Italian", "Italiano"),
}

# Translation locales the replica knows: language -> country of its translation.
LOCALE_COUNTRY = {"en": "US", "pl": "PL", "id": "ID", "ja": "JP", "de": "DE", "uk": "UA", "fr": "FR",
                  "ko": "KR", "es": "ES", "it": "IT"}

# Production companies per origin country (designed ids, a few real names).
COMPANIES: dict[str, tuple[tuple[int, str], ...]] = {
    "US": ((33, "Universal Pictures"), (2, "Walt Disney Pictures"), (174, "Warner Bros. Pictures"),
           (521, "DreamWorks Animation"), (4, "Paramount Pictures"), (41077, "A24"), (3172, "Blumhouse Productions")),
    "GB": ((288, "BBC Film"), (10163, "Working Title Films")),
    "IE": ((9219, "Element Pictures"),),
    "DE": ((5755, "Prana-Film"), (7480, "Werner Herzog Filmproduktion")),
    "PL": ((7944, "Kino Świat"), (11307, "Next Film"), (31920, "Opus Film"), (88514, "Akson Studio")),
    "ID": ((77032, "Imajinari"), (24562, "Visinema Pictures"), (38207, "Come and See Pictures")),
    "JP": ((70812, "ufotable"), (3464, "Aniplex")),
    "UA": ((127881, "Bosonfilm"),),
    "FR": ((104, "Canal+"), (356, "Gaumont")),
    "KR": ((4399, "CJ Entertainment"),),
}

# TV networks: id -> (name, origin_country). Real TMDB ids for the big ones; TVN, Polsat,
# TVP1, RCTI and Vidio ids are designed.
NETWORKS: dict[int, tuple[str, str]] = {
    49: ("HBO", "US"), 213: ("Netflix", ""), 174: ("AMC", "US"), 6: ("NBC", "US"), 2739: ("Disney+", ""),
    2552: ("Apple TV+", ""), 88: ("FX", "US"), 13: ("Nickelodeon", "US"), 1024: ("Prime Video", ""),
    70001: ("TVN", "PL"), 70002: ("Polsat", "PL"), 70003: ("TVP1", "PL"),
    70011: ("RCTI", "ID"), 70012: ("Vidio", "ID"),
}

# Watch providers: id -> name. Ids follow TMDB where known, the rest are designed.
PROVIDERS: dict[int, str] = {
    8: "Netflix", 1796: "Netflix Standard with Ads", 119: "Amazon Prime Video", 337: "Disney Plus",
    1899: "Max", 350: "Apple TV+", 2: "Apple TV", 3: "Google Play Movies", 10: "Amazon Video",
    1773: "SkyShowtime", 505: "Player", 489: "Vidio", 158: "Viu", 300: "Pluto TV", 35: "Rakuten TV",
    159: "Catchplay", 1860: "Polsat Box Go", 1861: "TVP VOD", 1870: "Prime Video with Ads",
}

# The subscription service behind each network, for shows' "flatrate" offers.
NETWORK_PROVIDER = {49: 1899, 213: 8, 174: 119, 6: 119, 2739: 337, 2552: 350, 88: 337, 13: 8,
                    1024: 119, 70001: 505, 70002: 1860, 70003: 1861, 70011: 489, 70012: 489}

PROVIDER_COUNTRIES = ("PL", "ID", "US", "GB", "DE")
STORES = (2, 3, 10)  # rent / buy
FREE_BY_COUNTRY = {"PL": 1861, "ID": 489, "US": 300, "GB": 300, "DE": 300}  # "free" offers
ADS_BY_COUNTRY = {"PL": 1796, "ID": 158, "US": 1870, "GB": 1870, "DE": 1796}  # "ads" offers

CHANGE_KEYS = [
    "adult", "air_date", "also_known_as", "alternative_titles", "biography", "birthday", "budget", "cast",
    "certifications", "character_names", "created_by", "crew", "deathday", "episode", "episode_number",
    "episode_run_time", "freebase_id", "freebase_mid", "general", "genres", "guest_stars", "homepage",
    "images", "imdb_id", "languages", "name", "network", "origin_country", "original_name",
    "original_title", "overview", "parts", "place_of_birth", "plot_keywords", "production_code",
    "production_companies", "production_countries", "releases", "revenue", "runtime", "season",
    "season_number", "season_regular", "spoken_languages", "status", "tagline", "title", "translations",
    "tvdb_id", "tvrage_id", "type", "video", "videos",
]

CONFIGURATION = {
    "images": {
        "base_url": "http://image.tmdb.org/t/p/",
        "secure_base_url": "https://image.tmdb.org/t/p/",
        "backdrop_sizes": ["w300", "w780", "w1280", "original"],
        "logo_sizes": ["w45", "w92", "w154", "w185", "w300", "w500", "original"],
        "poster_sizes": ["w92", "w154", "w185", "w342", "w500", "w780", "original"],
        "profile_sizes": ["w45", "w185", "h632", "original"],
        "still_sizes": ["w92", "w185", "w300", "original"],
    },
    "change_keys": CHANGE_KEYS,
}

# Keywords per genre (designed vocabulary; 818 "based on novel or book" is TMDB's id).
GENRE_KEYWORDS: dict[int, tuple[str, ...]] = {
    28: ("martial arts", "revenge", "heist", "hitman"), 12: ("quest", "expedition", "dragon", "wilderness"),
    16: ("anthropomorphism", "talking animals", "friendship", "3d animation"),
    35: ("body swap", "family relationships", "satire", "mother daughter relationship"),
    80: ("police", "detective"), 99: ("science", "behind the scenes"),
    18: ("grief", "based on true story", "small town", "family"),
    10751: ("christmas", "coming of age"), 14: ("magic", "witch", "sorcery", "prequel"),
    27: ("vampire", "haunted house", "slasher", "supernatural", "killer clown"),
    10402: ("musical", "based on stage musical"), 9648: ("whodunit",), 10749: ("time travel", "love"),
    878: ("space travel", "artificial intelligence", "dystopia", "alien"),
    53: ("siege", "conspiracy", "assassination"), 36: ("cold war",), 10752: ("world war ii",),
}
