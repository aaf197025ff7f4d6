"""The cities each source covers, and their real hosts."""

from __future__ import annotations

import json
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


def repertuary_host(city: str) -> str:
    return "https://www.kino.krakow.pl" if city == "krakow" else f"https://{city}.repertuary.pl"


@cache
def tix_cities() -> tuple[tuple[str, str], ...]:
    """The 83 TIX.id cities as (id, NAME), in the original's (alphabetical) order."""
    text = resources.files("cineradar").joinpath("data/tix_cities.json").read_text(encoding="utf-8")
    return tuple((c["id"], c["name"]) for c in json.loads(text)["cities"])
