"""Static vocabulary of the TIX.id replica: chains, room categories, place names, genres.

Observed values (docs/sources/tix.md#data) are copied as they are, trailing spaces included.
Which chain owns which category is unknown (docs/sources/tix.md#room-categories); the split below is a guess.
"""

from __future__ import annotations

XXI, CGV, CINEPOLIS = "XXI", "CGV", "Cinépolis"
MERCHANTS = (XXI, CGV, CINEPOLIS)
# E5 path segment per merchant (docs/sources/tix.md#merchant-paths).
MERCHANT_PATH = {XXI: "xxi", CGV: "cgv", CINEPOLIS: "cinepolis"}
# E5 response shape per merchant (docs/sources/tix.md#layout-shapes).
SHAPE = {XXI: "xxi", CGV: "cgv", CINEPOLIS: "cinepolis"}
# Name suffix of a theatre per chain, as the site prints it.
NAME_SUFFIX = {XXI: "XXI", CGV: "CGV", CINEPOLIS: "CINEPOLIS"}

# (category, kind): "main" rooms show every film, "3d" only films with a 3D print,
# "premium" a few films at higher prices, "big" the large-format screens.
CATEGORIES: dict[str, tuple[tuple[str, str], ...]] = {
    XXI: (("2D", "main"), ("3D", "3d"), ("IMAX 2D", "big"), ("IMAX 3D", "big3d"), ("ESSENTIAL AUDI 2D", "premium")),
    CGV: (
        ("REGULAR 2D", "main"), ("REGULAR 3D", "3d"), ("SATIN 2D", "premium"), ("SATIN SUITE 2D", "premium"),
        ("GOLD CLASS 2D", "premium"), ("VELVET 2D", "premium"), ("VELVET BY OCEAN 2D", "premium"),
        ("4DX2D", "big"), ("4DX3D", "big3d"), ("SCREENX 2D", "big"), ("SCREENX 3D", "big3d"),
        ("SCREENX GOLD SCREENX 3D", "big3d"), ("STARIUM 2D", "big"), ("STARIUM 3D", "big3d"),
        ("REGULAR 3WAY 2D", "premium"),
    ),
    # "REGULAR " with its trailing space is how Cinépolis sends it (docs/sources/tix.md#room-categories).
    CINEPOLIS: (("REGULAR ", "main"), ("REGULAR 2D", "main"), ("VIP 2D", "premium"), ("VIP 3D", "big3d"),
                ("LUXE 2D", "premium"), ("JOMO 2D", "premium")),
}

# Cities whose theatre counts the captured data gives (docs/sources/tix.md#scale) plus the next tier, guessed;
# the remaining cities get 1 to 3 theatres. Sums to 495 with the filler.
DEFAULT_THEATRES = {
    "JAKARTA": 87, "TANGERANG": 40, "SURABAYA": 28, "BEKASI": 24, "BANDUNG": 22, "BOGOR": 20, "MEDAN": 19,
    "DEPOK": 14, "SEMARANG": 11, "MAKASSAR": 11, "YOGYAKARTA": 10, "BALI": 10, "BATAM": 9, "PALEMBANG": 9,
    "MALANG": 8, "BALIKPAPAN": 7, "PEKANBARU": 7, "SIDOARJO": 6, "SOLO": 6, "CIKARANG": 6, "SAMARINDA": 5,
    "LAMPUNG": 5, "MANADO": 5, "KARAWANG": 5, "PONTIANAK": 4, "BANJARMASIN": 4, "JAMBI": 4, "PADANG": 4,
    "CIREBON": 4, "SERANG": 4,
}
DEFAULT_TOTAL_THEATRES = 495
JAKARTA_MIX = {XXI: 64, CGV: 12, CINEPOLIS: 11}  # docs/sources/tix.md#merchants, 2025-12-23

JAKARTA_PLACES = (
    "AEON MALL TANJUNG BARAT", "AEON MALL JGC", "PLAZA SENAYAN", "GRAND INDONESIA", "KOTA KASABLANKA",
    "MALL KELAPA GADING", "PONDOK INDAH MALL", "CENTRAL PARK", "GANDARIA CITY", "PURI INDAH MALL",
    "EMPORIUM PLUIT", "BASSURA CITY", "CIPINANG INDAH", "ARION MALL", "BLOK M SQUARE", "KUNINGAN CITY",
    "SENAYAN CITY", "PACIFIC PLACE", "MALL OF INDONESIA", "LOTTE SHOPPING AVENUE", "BAYWALK MALL",
    "TAMAN ANGGREK", "KALIBATA CITY", "CIBUBUR JUNCTION", "TEBET GREEN", "DAAN MOGOT MALL",
)
DISTRICTS = (
    "SENAYAN", "KELAPA GADING", "PLUIT", "CIBUBUR", "KEMANG", "KUNINGAN", "CAWANG", "CILANDAK", "TEBET",
    "GROGOL", "PURI", "KALIBATA", "MATRAMAN", "CEMPAKA PUTIH", "SUNTER", "ANCOL", "PASAR MINGGU", "BINTARO",
    "KEBAYORAN", "MENTENG", "SLIPI", "MAMPANG", "HALIM", "RAWAMANGUN", "CAKUNG", "PULO GADUNG", "KEBON JERUK",
    "JOGLO", "LENTENG AGUNG", "KRAMAT JATI", "MERUYA", "SERPONG", "KARAWACI", "ALAM SUTERA", "CIPUTAT",
    "SUDIRMAN", "THAMRIN", "DIPONEGORO", "PAHLAWAN", "MERDEKA", "NUSANTARA", "HARMONI", "PERMATA", "CEMARA",
)
VENUES = ("MALL", "PLAZA", "CITY MALL", "TRANS STUDIO MALL", "LIPPO PLAZA", "TRANSMART", "GRAND MALL",
          "TOWN SQUARE", "SQUARE", "CITY CENTER", "MEGA MALL", "CENTRE POINT", "LIVING WORLD", "SUMMARECON MAL",
          "SUPERMAL", "HYPERMART")
STREETS = ("Jend. Sudirman", "M.H. Thamrin", "Gatot Subroto", "Jend. Ahmad Yani", "Diponegoro", "Pemuda",
           "Gajah Mada", "Hayam Wuruk", "Merdeka", "Asia Afrika", "Pahlawan", "Veteran", "Raya Bogor",
           "Cassia Utama", "Tanjung Barat", "Boulevard Raya", "Pluit Indah", "Metro Pondok Indah",
           "Letjen S. Parman", "Raya Serpong", "Basuki Rahmat", "Imam Bonjol")
FLOORS = ("Lt. 3", "Lantai 3", "Lantai 5", "LG Floor", "3rd Floor", "Lt. 4", "Lantai Dasar")

# TMDB-side genres (films.py, Polish) -> the English names TIX.id shows (docs/sources/tix.md#data-quirks).
GENRES_EN = {
    "przygodowy": "Adventure", "dreszczowiec": "Thriller", "sci-fi": "Sci-fi", "muzyka": "Music",
    "fantasy": "Fantasy", "musical": "Music", "komedia": "Comedy", "animacja": "Animation",
    "familijny": "Family", "horror": "Horror", "dramat": "Drama", "thriller": "Thriller", "akcja": "Action",
    "romans": "Romance",
}
COUNTRIES_EN = {"United States of America": "USA", "Indonesia": "Indonesia", "Japan": "Japan",
                "South Korea": "South Korea", "India": "India"}

# Films of the shared universe that plausibly screen in Indonesia (no Polish or Ukrainian titles).
LOCAL_LANGUAGES = ("en", "id", "ja", "ko", "fr")
# One local listing with no TMDB entry (concert films and local events have none); its truth tmdb_id is None.
UNMATCHED_TITLES = ("KONSER SPESIAL: SUARA NUSANTARA",)
# TIX.id lists large-format prints as separate movies with a suffix (films.ID_SUFFIXES).
IMAX_SUFFIX = "(IMAX 2D)"
