"""The 29 repertuary.pl cities (docs/sources/repertuary.md#cities) and their cinemas."""

from __future__ import annotations

import random
from dataclasses import dataclass

from replica.repertuary.polish import slugify

# Order and keys as in the original's cities.ex.
CITIES: dict[str, str] = {
    "krakow": "Kraków",
    "warszawa": "Warszawa",
    "gdansk": "Gdańsk",
    "wroclaw": "Wrocław",
    "poznan": "Poznań",
    "lodz": "Łódź",
    "katowice": "Katowice",
    "szczecin": "Szczecin",
    "lublin": "Lublin",
    "bialystok": "Białystok",
    "bydgoszcz": "Bydgoszcz",
    "kielce": "Kielce",
    "olsztyn": "Olsztyn",
    "rzeszow": "Rzeszów",
    "torun": "Toruń",
    "radom": "Radom",
    "gdynia": "Gdynia",
    "sopot": "Sopot",
    "trojmiasto": "Trójmiasto",
    "bielsko-biala": "Bielsko-Biała",
    "bytom": "Bytom",
    "czestochowa": "Częstochowa",
    "dabrowa-gornicza": "Dąbrowa Górnicza",
    "gliwice": "Gliwice",
    "jaworzno": "Jaworzno",
    "ruda-slaska": "Ruda Śląska",
    "rybnik": "Rybnik",
    "sosnowiec": "Sosnowiec",
    "zabrze": "Zabrze",
}


def host(city: str) -> str:
    """The real host the city's pages come from (Kraków keeps its legacy branded host)."""
    return "www.kino.krakow.pl" if city == "krakow" else f"{city}.repertuary.pl"


@dataclass(frozen=True)
class Tier:
    showing: tuple[int, int]  # range of films with showtimes this week
    upcoming: tuple[int, int]  # range of films announced only ("Zapowiedzi")
    per_day: int  # target showtimes per day
    cinemas: tuple[int, int, int]  # multiplexes, IMAX-capable, arthouse (other cities)


# Default preset. Kraków's figures follow the live counts (about 100 films listed, a third
# upcoming; about 300 showtimes a day); the tiering of the other cities is designed.
BIG = Tier((65, 71), (31, 36), 300, (6, 1, 5))
MEDIUM = Tier((38, 44), (18, 22), 120, (3, 0, 2))
SMALL = Tier((18, 22), (8, 10), 40, (1, 0, 1))
TIERS: dict[str, Tier] = {
    **dict.fromkeys(("krakow", "warszawa", "gdansk", "wroclaw", "poznan", "lodz", "trojmiasto"), BIG),
    **dict.fromkeys(
        ("katowice", "szczecin", "lublin", "bialystok", "bydgoszcz", "kielce", "olsztyn", "rzeszow", "torun", "gdynia"),
        MEDIUM,
    ),
}


def tier(city: str) -> Tier:
    return TIERS.get(city, SMALL)


@dataclass(frozen=True)
class Cinema:
    slug: str  # may contain "/" (cinema-city/bonarka), as on the real site
    name: str
    kind: str  # "multiplex", "imax" or "arthouse": decides which listings it plays
    phone: str


# Kraków's 15 cinemas (docs/sources/repertuary.md#cinemas). "cinema-city/bonarka" is a real slug; the others
# are designed in the same style (chain/branch, the Pod Baranami branches under their parent).
KRAKOW_CINEMAS: tuple[tuple[str, str, str], ...] = (
    ("agrafka", "Agrafka", "arthouse"),
    ("cinema-city/bonarka", "Cinema City Bonarka", "multiplex"),
    ("cinema-city/galeria-kazimierz", "Cinema City Galeria Kazimierz", "multiplex"),
    ("cinema-city/zakopianka", "Cinema City Zakopianka", "multiplex"),
    ("kino-mikro/galeria-bronowice", "Galeria Bronowice Mikro", "arthouse"),
    ("imax", "IMAX", "imax"),
    ("kijow", "Kijów", "arthouse"),
    ("kino-kika", "Kino Kika", "arthouse"),
    ("kino-mikro", "Kino Mikro", "arthouse"),
    ("kino-pod-baranami", "Kino Pod Baranami", "arthouse"),
    ("kino-pod-baranami/asp", "Kino Pod Baranami ASP", "arthouse"),
    ("kino-pod-baranami/mos", "Kino Pod Baranami w MOS", "arthouse"),
    ("multikino", "Multikino", "multiplex"),
    ("paradox", "Paradox", "arthouse"),
    ("sfinks", "Sfinks", "arthouse"),
)
# The tiny preset's Kraków: a multiplex pair and the arthouse branches with "/" in their slugs.
TINY_KRAKOW = ("cinema-city/bonarka", "multikino", "kijow", "kino-pod-baranami", "kino-pod-baranami/asp")

_MALLS = (  # generic shopping-centre names: no city's landmark ends up in another city
    "Plaza",
    "Forum",
    "Atrium",
    "Korona",
    "Galaxy",
    "Focus",
    "Alfa",
    "Kaskada",
    "Europa",
    "Sukcesja",
    "Riviera",
    "Promenada",
    "Centrum",
    "Arena",
    "Pasaż",
    "Ogrody",
    "Nova",
    "Sfera",
    "Gemini",
    "Echo",
)
_MULTI = ("Multikino", "Helios")
_ARTHOUSE = (
    "Kino Muranów",
    "Kino Luna",
    "Kino Atlantic",
    "Iluzjon",
    "Kinoteka",
    "Kino Charlie",
    "Kino Zorza",
    "Kino Bałtyk",
    "Kino Rialto",
    "Kino Światowid",
    "Kino Kosmos",
    "Kino Apollo",
    "Kino Nowe Horyzonty",
    "Kino Muza",
    "Kino Pionier",
    "Kino Forum",
    "Kino Studyjne",
    "Kino Wisła",
)


AREA_CODES = {
    "krakow": 12,
    "warszawa": 22,
    "gdansk": 58,
    "wroclaw": 71,
    "poznan": 61,
    "lodz": 42,
    "szczecin": 91,
    "lublin": 81,
    "bialystok": 85,
    "bydgoszcz": 52,
    "kielce": 41,
    "olsztyn": 89,
    "rzeszow": 17,
    "torun": 56,
    "radom": 48,
    "gdynia": 58,
    "sopot": 58,
    "trojmiasto": 58,
    "bielsko-biala": 33,
    "czestochowa": 34,
}  # the Silesian towns not listed share 32


def _phone(rng: random.Random, area: int) -> str:
    return f"{area} {rng.randint(200, 699)} {rng.randint(10, 99)} {rng.randint(10, 99)}"


def krakow_cinemas(rng: random.Random, only: tuple[str, ...] | None = None) -> list[Cinema]:
    return [
        Cinema(slug, name, kind, _phone(rng, AREA_CODES["krakow"]))
        for slug, name, kind in KRAKOW_CINEMAS
        if only is None or slug in only
    ]


def generated_cinemas(rng: random.Random, city: str, counts: tuple[int, int, int]) -> list[Cinema]:
    """Plausible cinemas for a city other than Kraków (designed: no real list is known)."""
    multiplexes, imax, arthouse = counts
    area = AREA_CODES.get(city, 32)
    cinemas: list[Cinema] = []
    malls = rng.sample(_MALLS, multiplexes)
    for index, mall in enumerate(malls):
        chain = "Cinema City" if index % 2 == 0 else rng.choice(_MULTI)
        name = f"{chain} {mall}"
        cinemas.append(Cinema(f"{slugify(chain)}/{slugify(mall)}", name, "multiplex", _phone(rng, area)))
    if imax:
        cinemas.append(
            Cinema(f"cinema-city/{city}-imax", f"Cinema City {CITIES[city]} IMAX", "imax", _phone(rng, area))
        )
    for name in rng.sample(_ARTHOUSE, arthouse):
        cinemas.append(Cinema(slugify(name), name, "arthouse", _phone(rng, area)))
    return sorted(cinemas, key=lambda c: slugify(c.name))
