"""repertuary.pl's items (cineradar/spiders/repertuary.py, docs/sources/repertuary.md)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, ClassVar

from pydantic import Field

from cineradar.items.base import (
    HHMM,
    CineItem,
    D,
    NonEmpty,
    WarsawDatetime,
)

_DATE_PL = "The day (YYYY-MM-DD) in Polish time (Europe/Warsaw)"


class RepertuaryFilm(CineItem):
    """A film as a repertuary.pl city site describes it."""

    entity: ClassVar[str] = "repertuary_films"
    key: ClassVar[tuple[str, ...]] = ("city", "slug")
    source: ClassVar[str] = "repertuary"

    city: NonEmpty = D("The city site's name (e.g. `krakow`, its subdomain of repertuary.pl).")
    slug: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")] = D("The film's slug in its page URL.")
    title_pl: NonEmpty = D("The Polish title.")
    original_title: NonEmpty = D("The original title (the Polish one when the page gives none).")
    director: str | None = D("Director(s) as listed.", None)
    year: Annotated[int, Field(ge=1880, le=2100)] | None = D("Production year.", None)
    countries: list[str] = D("Production countries as listed (Polish names).", [])
    runtime: Annotated[int, Field(gt=0, le=1000)] | None = D("Running time in minutes.", None)
    cast: list[str] = D("Cast as listed, in order.", [])
    genres: list[str] = D("Genres as listed (Polish names).", [])
    url: str = D("The film page's absolute URL.")


class RepertuaryCinema(CineItem):
    """A cinema of a repertuary.pl city site."""

    entity: ClassVar[str] = "repertuary_cinemas"
    key: ClassVar[tuple[str, ...]] = ("city", "slug")
    source: ClassVar[str] = "repertuary"

    city: NonEmpty = D("The city site's name (e.g. `krakow`).")
    slug: NonEmpty = D("The cinema's slug in its page URL; may contain `/` (e.g. `cinema-city/bonarka`).")
    name: NonEmpty = D("A name derived from the slug, as the original does.")


class RepertuaryShowtime(CineItem):
    """One screening of a film in a cinema, from a repertuary.pl city site."""

    entity: ClassVar[str] = "repertuary_showtimes"
    key: ClassVar[tuple[str, ...]] = ("external_id",)
    source: ClassVar[str] = "repertuary"

    external_id: Annotated[str, Field(pattern=r"^[A-Za-z0-9_-]+$")] = D(
        "Stable id: city, cinema, film, date and time, every character outside `[A-Za-z0-9_-]` as `_`.")
    city: NonEmpty = D("The city site's name (e.g. `krakow`).")
    film_slug: NonEmpty = D("The film (`repertuary_films.slug` of the same city).")
    cinema_slug: NonEmpty = D("The cinema (`repertuary_cinemas.slug` of the same city).")
    date: dt.date = D(f"{_DATE_PL} of the showtime.")
    time: HHMM = D("The showtime's start as the cinema's clock shows it, HH:MM (24 h), Polish time.")
    starts_at: WarsawDatetime = D("`date` + `time` in Polish time, ISO 8601 with its offset "
                                  "(`+01:00` in winter, `+02:00` in summer).")
    showtime_id: str | None = D("The site's own id of the screening, when its ticket link carries one.", None)
    ticket_url: str | None = D("The absolute URL of the ticket page, when listed.", None)
