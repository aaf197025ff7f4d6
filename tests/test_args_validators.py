"""The shared spider-argument checks (cineradar/args/validators.py), one rule a test: what a good
value becomes, and what a user reads for a bad one."""

from __future__ import annotations

import datetime as dt

import pytest

from cineradar.args import RepertuaryArgs, SpiderArgumentError, TixArgs, TixSeatsArgs, TmdbMoviesArgs
from cineradar.args.validators import (
    aware,
    batch,
    batch_slice,
    comma_items,
    comma_list,
    country_code,
    iso_day,
    language_tag,
    readable_file,
    repertuary_cities,
    tix_city,
    tix_city_names,
)
from cineradar.cities import REPERTUARY_CITIES, tix_cities

ALL_REPERTUARY = ", ".join(REPERTUARY_CITIES)
ALL_TIX = ", ".join(sorted(name for _, name in tix_cities()))


# ------------------------------------------------------------------ comma lists
def test_comma_items_are_split_on_commas_only():
    assert comma_items("KUALA KAPUAS, JAKARTA") == ["KUALA KAPUAS", "JAKARTA"]


def test_comma_items_are_stripped_and_blanks_dropped():
    assert comma_items(" a ,, b ,") == ["a", "b"]


def test_comma_list_returns_the_known_names_joined_by_commas():
    assert comma_list("a, b", str.upper, repr) == "A,B"


def test_comma_list_keeps_repeats_unless_unique():
    assert comma_list("a,a,b", str.upper, repr) == "A,A,B"


def test_comma_list_unique_keeps_each_name_once_in_the_order_given():
    assert comma_list("b,a,b", str.upper, repr, unique=True) == "B,A"


def test_comma_list_refuses_only_the_unknown_items():
    with pytest.raises(ValueError, match=r"^\['x'\]$"):
        comma_list("a,x", lambda n: None if n == "x" else n, repr)


def test_comma_list_refuses_an_empty_list_with_no_unknown_item():
    with pytest.raises(ValueError, match=r"^\[\]$"):
        comma_list(" ,", str.upper, repr)


def test_comma_list_keeps_a_name_that_is_falsy_but_known():
    assert comma_list("zero", lambda n: "", repr) == ""


# ------------------------------------------------------------------ days and instants
def test_iso_day_parses_a_yyyy_mm_dd_day():
    assert iso_day("2026-01-05") == dt.date(2026, 1, 5)


@pytest.mark.parametrize("bad", ["20260105", "2026-1-5", "2026-02-30", " 2026-01-05x"])
def test_iso_day_refuses_anything_but_yyyy_mm_dd(bad):
    with pytest.raises(ValueError, match=f"^expected a day as YYYY-MM-DD, got {bad!r}$"):
        iso_day(bad)


def test_iso_day_leaves_a_non_string_to_the_field_type():
    day = dt.date(2026, 1, 5)
    assert iso_day(day) is day
    assert iso_day(None) is None


def test_a_bad_date_argument_names_the_format():
    with pytest.raises(SpiderArgumentError, match=r"-a date: expected a day as YYYY-MM-DD, got '2026/01/05'"):
        TixArgs.parse("tix_movies", {"date": "2026/01/05"}, check_date=False)


def test_aware_keeps_an_instant_with_an_offset():
    now = dt.datetime(2026, 1, 15, 18, 40, tzinfo=dt.timezone(dt.timedelta(hours=7)))
    assert aware(now) is now


def test_aware_accepts_no_instant():
    assert aware(None) is None


def test_aware_refuses_a_naive_instant():
    with pytest.raises(ValueError, match="give an offset"):
        aware(dt.datetime(2026, 1, 15, 18, 40))


def test_now_argument_without_an_offset_is_refused():
    with pytest.raises(SpiderArgumentError, match="-a now: give an offset, e.g. 2026-01-15T18:40:00[+]07:00"):
        TixSeatsArgs.parse("tix_seats", {"now": "2026-01-15T18:40:00"}, check_date=False)


# ------------------------------------------------------------------ files
def test_readable_file_returns_the_path_as_given(tmp_path):
    path = tmp_path / "rows.jsonl"
    path.write_text("{}\n")
    assert readable_file(str(path)) == str(path)


def test_readable_file_accepts_no_file():
    assert readable_file(None) is None


def test_readable_file_refuses_a_missing_file(tmp_path):
    with pytest.raises(ValueError, match="^no such file: "):
        readable_file(str(tmp_path / "missing"))


def test_readable_file_refuses_a_directory(tmp_path):
    with pytest.raises(ValueError, match="^not a file: "):
        readable_file(str(tmp_path))


def test_readable_file_refuses_a_file_it_cannot_read(tmp_path, monkeypatch):
    path = tmp_path / "secret.jsonl"
    path.write_text("{}\n")
    asked = []

    def access(p, mode):  # noqa: ANN001, ANN202
        asked.append((str(p), mode))
        return False

    monkeypatch.setattr("cineradar.args.validators.os.access", access)
    with pytest.raises(ValueError, match="^not readable: "):
        readable_file(str(path))
    assert asked == [(str(path), __import__("os").R_OK)]


# ------------------------------------------------------------------ batches
def test_batch_returns_the_value_as_given():
    assert batch("2/9", 83) == "2/9"


def test_batch_accepts_no_batch():
    assert batch(None, 83) is None


def test_batch_accepts_the_first_batch():
    assert batch("0/3", 83) == "0/3"


def test_batch_accepts_the_last_batch():
    assert batch("2/3", 83) == "2/3"


def test_batch_accepts_as_many_batches_as_the_most():
    assert batch("0/83", 83) == "0/83"


@pytest.mark.parametrize("bad", ["3/3", "4/3", "0/84", "0/0", "1/1", "-1/3", "1/3x", "x1/3", "1-3", "1/", "/3", ""])
def test_batch_refuses_anything_but_n_of_m(bad):
    with pytest.raises(ValueError, match=r"allowed: N/M with 0 <= N < M <= 83 \(e.g. 2/9\)"):
        batch(bad, 83)


def test_batch_argument_is_checked_against_the_tix_city_count():
    with pytest.raises(SpiderArgumentError, match=r"-a batch: got '0/84'; allowed: N/M with 0 <= N < M <= 83"):
        TixArgs.parse("tix_movies", {"batch": "0/84"}, check_date=False)


def test_batch_slice_without_a_batch_is_everything():
    assert batch_slice((1, 2, 3), None) == [1, 2, 3]


def test_batch_slice_with_an_empty_batch_is_everything():
    assert batch_slice((1, 2, 3), "") == [1, 2, 3]


def test_batch_slices_put_the_remainder_in_the_first_batches():
    items = list(range(11))
    assert [batch_slice(items, f"{n}/4") for n in range(4)] == [[0, 1, 2], [3, 4, 5], [6, 7, 8], [9, 10]]


def test_batch_slices_of_an_even_split_are_equal():
    items = list(range(9))
    assert [batch_slice(items, f"{n}/3") for n in range(3)] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


def test_batch_slices_cover_every_item_once_in_order():
    for count in range(0, 25):
        items = list(range(count))
        for total in range(1, 12):
            slices = [batch_slice(items, f"{n}/{total}") for n in range(total)]
            assert [i for s in slices for i in s] == items, (count, total)
            sizes = [len(s) for s in slices]
            assert sizes == sorted(sizes, reverse=True) and max(sizes) - min(sizes) <= 1, (count, total)


def test_batch_slice_of_more_batches_than_items_gives_empty_tails():
    assert [batch_slice("ab", f"{n}/4") for n in range(4)] == [["a"], ["b"], [], []]


def test_tix_batches_split_the_83_cities_contiguously():
    parts = [TixArgs.parse("tix_movies", {"batch": f"{n}/9"}, check_date=False).selected_cities() for n in range(9)]
    assert [len(p) for p in parts] == [10, 10, 9, 9, 9, 9, 9, 9, 9]
    assert [c for p in parts for c in p] == list(tix_cities())


# ------------------------------------------------------------------ countries and languages
def test_country_code_is_kept_upper_case():
    assert country_code("pl") == "PL"


def test_country_code_accepts_no_country():
    assert country_code(None) is None


@pytest.mark.parametrize("bad", ["P", "POL", "P1", "12", ""])
def test_country_code_refuses_anything_but_two_letters(bad):
    with pytest.raises(ValueError, match=f"^expected a two-letter country code, got {bad!r}$"):
        country_code(bad)


def test_region_argument_is_an_upper_case_country():
    assert TmdbMoviesArgs.parse("tmdb_movies", {"region": "id"}).region == "ID"


def test_language_tag_accepts_a_language_alone():
    assert language_tag("pl") == "pl"


def test_language_tag_accepts_a_language_and_a_region():
    assert language_tag("pl-PL") == "pl-PL"


def test_language_tag_accepts_no_language():
    assert language_tag(None) is None


@pytest.mark.parametrize("bad", ["PL", "pl-pl", "pl_PL", "pol", "p", "pl-", "pl-PLL", "en-US-x"])
def test_language_tag_refuses_anything_but_xx_or_xx_xx(bad):
    with pytest.raises(ValueError, match=f"^expected xx-XX \\(e.g. pl-PL\\), got {bad!r}$"):
        language_tag(bad)


# ------------------------------------------------------------------ TIX.id cities
def test_tix_city_is_the_name_whatever_the_case():
    assert tix_city("jakarta") == "JAKARTA"


def test_tix_city_ignores_separators():
    assert tix_city("kuala_kapuas") == "KUALA KAPUAS"


def test_tix_city_is_none_for_an_unknown_city():
    assert tix_city("atlantis") is None


def test_tix_city_names_are_the_names_joined_by_commas():
    assert tix_city_names("jakarta, Tanjung-Pinang") == "JAKARTA,TANJUNG PINANG"


def test_tix_city_names_accept_no_cities():
    assert tix_city_names(None) is None


def test_an_unknown_tix_city_is_refused_with_a_hint_and_the_allowed_names():
    with pytest.raises(ValueError) as info:
        tix_city_names("jakarta,jakrta")
    assert str(info.value) == f"unknown TIX.id cities ['jakrta']; did you mean 'JAKARTA'?; allowed: {ALL_TIX}"


def test_a_hint_for_a_tix_city_shows_its_name_as_typed_by_tix():
    with pytest.raises(ValueError, match="did you mean 'KUALA KAPUAS'"):
        tix_city_names("kuala kapuass")


def test_two_unknown_tix_cities_get_no_hint():
    with pytest.raises(ValueError) as info:
        tix_city_names("jakrta,bandng")
    assert str(info.value) == f"unknown TIX.id cities ['jakrta', 'bandng']; allowed: {ALL_TIX}"


def test_no_tix_city_at_all_is_refused_naming_the_value():
    with pytest.raises(ValueError) as info:
        tix_city_names(" , ")
    assert str(info.value) == f"unknown TIX.id cities ' , '; allowed: {ALL_TIX}"


# ------------------------------------------------------------------ repertuary cities
def test_repertuary_cities_are_their_keys():
    assert repertuary_cities("Łódź, Bielsko Biała") == "lodz,bielsko-biala"


def test_repertuary_cities_keep_a_repeat():
    assert repertuary_cities("krakow,Kraków") == "krakow,krakow"


def test_repertuary_all_in_any_case_is_all():
    assert repertuary_cities("ALL") == "all"


def test_repertuary_city_argument_all_means_every_city():
    assert RepertuaryArgs.parse("repertuary", {"city": "All"}, check_date=False).cities == list(REPERTUARY_CITIES)


def test_an_unknown_repertuary_city_is_refused_with_a_hint_and_the_allowed_keys():
    with pytest.raises(ValueError) as info:
        repertuary_cities("krakow,Krakw")
    assert str(info.value) == (f"unknown city 'Krakw'; did you mean 'krakow'?; allowed: all, {ALL_REPERTUARY} "
                               "(with or without diacritics)")


def test_a_hint_for_a_repertuary_city_compares_it_without_diacritics():
    with pytest.raises(ValueError, match="did you mean 'gdansk'"):
        repertuary_cities("GDAŃSKK")


def test_two_unknown_repertuary_cities_get_no_hint():
    with pytest.raises(ValueError) as info:
        repertuary_cities("krakw,gdansq")
    assert str(info.value) == (f"unknown city 'krakw,gdansq'; allowed: all, {ALL_REPERTUARY} "
                               "(with or without diacritics)")


def test_no_repertuary_city_at_all_is_refused_naming_the_value():
    with pytest.raises(ValueError) as info:
        repertuary_cities(",")
    assert str(info.value) == f"unknown city ','; allowed: all, {ALL_REPERTUARY} (with or without diacritics)"


def test_a_bad_city_argument_is_one_line_naming_it():
    with pytest.raises(SpiderArgumentError, match="^repertuary: -a city: unknown city 'atlantis'; allowed: all, "):
        RepertuaryArgs.parse("repertuary", {"city": "atlantis"}, check_date=False)
