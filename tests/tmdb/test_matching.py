"""cineradar/matching.py: title cleaning, the documented confidence and the decision rules."""

from __future__ import annotations

import pytest

from cineradar.matching import (
    DETAILS_FOR,
    Listing,
    clean_title,
    conclude,
    decide,
    normalise,
    score,
    search_results,
    shortlist,
    with_details,
)


@pytest.mark.parametrize(("raw", "clean", "year"), [
    ("Avatar: Ogień i popiół 3D", "Avatar: Ogień i popiół", None),
    ("Burning Island ukraiński dubbing", "Burning Island", None),
    ("Wicked: Na dobre napisy", "Wicked: Na dobre", None),
    ("Superman IMAX", "Superman", None),
    ("AVATAR: FIRE AND ASH (IMAX 2D)", "AVATAR: FIRE AND ASH", None),
    ("Nosferatu (1922) napisy polskie", "Nosferatu", 1922),
    ("Kolekcja Pixara", "Pixara", None),
    ("2D", "2D", None),  # never cleaned to nothing
])
def test_clean_title(raw, clean, year):
    assert clean_title(raw) == (clean, year)


def test_normalise_drops_case_accents_and_punctuation():
    assert normalise("Miecz zabójcy demonów: Żółć – Łódź!") == "miecz zabojcy demonow zolc lodz"


def candidate(ident, title, year, runtime=None, directors=None, lang="en"):
    return {"id": ident, "title": title, "original_title": title, "release_date": f"{year}-05-01" if year else "",
            "runtime": runtime, "directors": directors, "original_language": lang}


WICKED = Listing("repertuary", "wicked", "Wicked", "Wicked", 2024, 160, "Jon M. Chu", ["USA"])


def test_a_full_agreement_scores_100():
    assert score(WICKED, candidate(1, "Wicked", 2024, 161, ["Jon M. Chu"]))["score"] == 100.0


def test_the_homonym_with_another_year_and_director_scores_low():
    s = score(WICKED, candidate(2, "Wicked", 1998, 88, ["Michael Steinberg"]))
    assert s["parts"] == {"title": 1.0, "year": 0.0, "runtime": 0.0, "director": 0.0, "language": 1.0}
    assert s["score"] == 55.0


def scored(ident, value, title=1.0):
    return {"tmdb_id": ident, "score": value, "parts": {"title": title}}


def test_decide_thresholds():
    assert decide([scored(1, 70.0)], set()).status == "matched"
    assert decide([scored(1, 65.0)], {1}).status == "matched"  # confirmed by now_playing
    assert decide([scored(1, 65.0)], set()).status == "needs_review"
    assert decide([scored(1, 55.0)], {1}).status == "needs_review"
    assert decide([scored(1, 49.9)], set()).status == "low_confidence"
    assert decide([], set()).status == "no_results"


def test_homonyms_within_five_points_go_to_review_unless_one_is_showing():
    pair = [scored(1, 80.0), scored(2, 77.0)]
    assert decide(pair, set()).status == "needs_review"
    shown = decide(pair, {2})
    assert (shown.status, shown.tmdb_id) == ("matched", 2)


def test_a_weak_title_is_never_matched_automatically():
    assert decide([scored(1, 90.0, title=0.7)], set()).status == "needs_review"


def test_every_outcome_keeps_its_candidates_and_reason():
    d = decide([scored(1, 55.0), scored(2, 20.0)], set())
    assert [c["tmdb_id"] for c in d.candidates] == [1, 2] and "50-59" in d.reason


def test_search_results_merge_by_id_keeping_the_first_answers_copy():
    first = {"results": [candidate(1, "Wicked", 2024), {"title": "no id"}]}
    second = {"results": [candidate(1, "Wicked (en)", 2024), candidate(2, "Wicked Little Letters", 2023)]}
    found = search_results([first, None, second])
    assert {k: v["title"] for k, v in found.items()} == {1: "Wicked", 2: "Wicked Little Letters"}


def test_the_best_candidates_get_details_and_the_rest_keep_their_search_scores():
    found = {i: candidate(i, t, y) for i, t, y in [(5, "Wicked", 2010), (6, "Wicked", 2024), (7, "Wicked Game", 2024),
                                                   (8, "Wick", 2024), (9, "Something Else", 1990)]}
    shortlisted, rest = shortlist(WICKED, found)
    assert [c["id"] for c in shortlisted] == [6, 8, 7][:DETAILS_FOR]
    assert [(s["tmdb_id"], s["score"]) for s in rest] == [(i, score(WICKED, found[i])["score"]) for i in (5, 9)]


def test_details_add_runtime_and_directors_and_the_decision_is_on_the_shortlisted_only():
    body = candidate(6, "Wicked (en)", 2024, 100) | {"credits": {"crew": [
        {"job": "Director", "name": "Jon M. Chu"}, {"job": "Producer", "name": "Marc Platt"},
        {"job": "Director", "name": "Jon M. Chu"}]}}
    detailed = with_details(candidate(6, "Wicked", 2024), body)
    assert (detailed["title"], detailed["runtime"], detailed["directors"]) == ("Wicked", 100, ["Jon M. Chu"])
    rest = [score(WICKED, candidate(5, "Wicked", 2024))]  # 87.5, within AMBIGUOUS, but not shortlisted: no rival
    decision, ranked = conclude(WICKED, [detailed], rest, set())
    assert (decision.status, decision.tmdb_id) == ("matched", 6)
    assert [(c["tmdb_id"], c["score"]) for c in ranked] == [(6, 90.0), (5, 87.5)]  # runtime 0, director 1
