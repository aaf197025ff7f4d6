"""People (cast and crew) of the TMDB replica.

A person's id and attributes derive from the name alone, so the same director keeps the
same TMDB person id whatever the seed, preset or day.
"""

from __future__ import annotations

import random
import string
from dataclasses import dataclass, field

from replica.core import stable_seed

# First names read as female for the `gender` field (1); everything else is 2. Designed.
_FEMALE = {
    "Anne", "Jessica", "Cynthia", "Ariana", "Emma", "Anya", "Florence", "Joanna", "Agata", "Maudy", "Tara",
    "Greta", "Maria", "Claire", "Agnieszka", "Anna", "Kalina", "Nisha", "Kelsey", "Thea", "Zoé", "Gail",
    "Lynda", "Winnie", "Dana", "Jenny", "Francine", "Nina", "Ewa", "Wulan", "Tia", "Louise", "Hildur",
    "Mica", "Dian", "Julie", "Kamila", "Lee", "Jamie", "Lindsay", "Millie", "Winona", "Bella",
    "Kit", "Rhea", "Jenna", "Emilia", "Jodie", "Hoyeon", "Aurora", "Sophie", "Maisie", "Britt", "Ayo",
    "Dorota", "Magdalena", "Marta", "Putri", "Sheila", "Chelsea", "Prilly", "Hana", "Yoo-mi",
}

_ALNUM = string.ascii_letters + string.digits


def image_path(rng: random.Random, ext: str = ".jpg") -> str:
    """A TMDB-looking image path: '/' + 27 base62 characters."""
    return "/" + "".join(rng.choice(_ALNUM) for _ in range(27)) + ext


def hex_id(rng: random.Random, digits: int = 24) -> str:
    """A 24-hex credit/video/review id like TMDB's Mongo ObjectIds."""
    return f"{rng.getrandbits(digits * 4):0{digits}x}"


@dataclass
class Person:
    id: int
    name: str
    gender: int
    department: str
    popularity: float
    profile_path: str | None
    imdb_id: str
    credits: list[int] = field(default_factory=list)  # movie ids, for known_for
    tv_credits: list[int] = field(default_factory=list)

    def base(self) -> dict:
        """Fields every credit entry repeats."""
        return {
            "adult": False,
            "gender": self.gender,
            "id": self.id,
            "known_for_department": self.department,
            "name": self.name,
            "original_name": self.name,
            "popularity": self.popularity,
            "profile_path": self.profile_path,
        }


class People:
    """Registry of everyone credited in the catalogue, keyed by name."""

    def __init__(self) -> None:
        self.by_name: dict[str, Person] = {}
        self.by_id: dict[int, Person] = {}

    def get(self, name: str, department: str) -> Person:
        person = self.by_name.get(name)
        if person is not None:
            return person
        rng = random.Random(stable_seed("tmdb-person", name))
        pid = 10_000 + stable_seed("tmdb-person-id", name) % 4_900_000
        while pid in self.by_id:  # hash collision between two names: the later name moves on
            pid += 1
        gender = 1 if name.split()[0] in _FEMALE else 2
        person = Person(
            id=pid, name=name, gender=gender, department=department,
            popularity=round(rng.uniform(0.6, 40.0), 3),
            profile_path=image_path(rng) if rng.random() < 0.85 else None,
            imdb_id=f"nm{rng.randint(100_000, 9_999_999):07d}",
        )
        self.by_name[name] = person
        self.by_id[pid] = person
        return person
