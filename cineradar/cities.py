"""The cities each source covers, and their real hosts."""

from __future__ import annotations

import json
import unicodedata
from functools import cache
from importlib import resources

# docs/sources/repertuary.md#cities: 29 keys; Kraków keeps its legacy branded host.
REPERTUARY_CITIES: dict[str, str] = {
    "krakow": "Kraków", "warszawa": "Warszawa", "gdansk": "Gdańsk", "wroclaw": "Wrocław",
    "poznan": "Poznań", "lodz": "Łódź", "katowice": "Katowice", "szczecin": "Szczecin",
    "lublin": "Lublin", "bialystok": "Białystok", "bydgoszcz": "Bydgoszcz", "kielce": "Kielce",
    "olsztyn": "Olsztyn", "rzeszow": "Rzeszów", "torun": "Toruń", "radom": "Radom",
    "gdynia": "Gdynia", "sopot": "Sopot", "trojmiasto": "Trójmiasto", "bielsko-biala": "Bielsko-Biała",
    "bytom": "Bytom", "czestochowa": "Częstochowa", "dabrowa-gornicza": "Dąbrowa Górnicza",
    "gliwice": "Gliwice", "jaworzno": "Jaworzno", "ruda-slaska": "Ruda Śląska", "rybnik": "Rybnik",
    "sosnowiec": "Sosnowiec", "zabrze": "Zabrze",
}


def city_key(name: str) -> str:
    """A city name as typed, compared without case, diacritics or separators: "Bielsko-Biała",
    "bielsko biala" and "BIELSKO_BIALA" are all "bielsko-biala"."""
    text = name.strip().lower().replace("ł", "l")  # ł has no decomposition
    text = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return "-".join(text.replace("_", " ").replace("-", " ").split())


@cache
def _repertuary_keys() -> dict[str, str]:
    keys = {city_key(key): key for key in REPERTUARY_CITIES}
    keys |= {city_key(name): key for key, name in REPERTUARY_CITIES.items()}
    return keys


def repertuary_city(name: str) -> str | None:
    """The repertuary key of a city name as typed ("Łódź", "lodz", "Dąbrowa Górnicza"), or None."""
    return _repertuary_keys().get(city_key(name))


def did_you_mean(typed: str, choices: list[str], show: dict[str, str] | None = None) -> str:
    """ "; did you mean 'x'?" for a near miss among ``choices`` (shown as ``show[x]``), else ""."""
    from rapidfuzz import fuzz, process  # noqa: PLC0415 - only on a typo: not at every command's start

    best = process.extractOne(typed, choices, scorer=fuzz.ratio, score_cutoff=70)
    if best is None:
        return ""
    return f"; did you mean {(show or {}).get(best[0], best[0])!r}?"


def repertuary_host(city: str) -> str:
    return "https://www.kino.krakow.pl" if city == "krakow" else f"https://{city}.repertuary.pl"


@cache
def tix_cities() -> tuple[tuple[str, str], ...]:
    """The 83 TIX.id cities as (id, NAME), in the original's (alphabetical) order."""
    text = resources.files("cineradar").joinpath("data/tix_cities.json").read_text(encoding="utf-8")
    return tuple((c["id"], c["name"]) for c in json.loads(text)["cities"])
