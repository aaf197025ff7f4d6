"""The TMDB review queue in Chromium: reading needs no login, deciding does (password, session
cookie, CSRF token); accept and reject through the page change the store as `scrapy tmdb-review`
would (decided_by = person), and a listing decided meanwhile is not overwritten."""

from __future__ import annotations

import pytest

from tests.web.conftest import PASSWORD
from tests.web.test_web_pages import visit

pytestmark = pytest.mark.e2e


def matches(store):  # noqa: ANN001, ANN201
    return {(r["listing_source"], r["listing_key"]): r for r in store.fetch("tmdb_matches")}


def test_review_accept_and_reject_through_the_browser_change_the_store(server, browser, store):
    before = matches(store)
    queue = sorted(k for k, r in before.items() if r["status"] == "needs_review")
    assert len(queue) >= 2
    context, page, problems = visit(browser, f"{server}review", 1440)
    try:
        assert int(page.locator("#queue-size").text_content()) == len(queue)
        assert page.get_by_role("button", name="Reject all").count() == 0  # read-only without the login
        # a write without the login is refused, even with a valid CSRF token from this session
        token = page.goto(f"{server}login") and page.locator("input[name=csrf_token]").get_attribute("value")
        source, key = queue[0]
        refused = page.request.post(f"{server}review", form={"csrf_token": token, "listing_source": source,
                                                              "listing_key": key, "action": "reject"})
        assert refused.status == 403
        # and a logged-in write without the CSRF token too (below, after logging in)
        page.fill("input[name=password]", "not-the-password")
        page.click("button[type=submit]")
        assert page.get_by_role("alert").text_content() == "Wrong password"
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}review")
        no_token = page.request.post(f"{server}review", form={"listing_source": source, "listing_key": key,
                                                               "action": "reject"})
        assert no_token.status == 400
        assert matches(store)[queue[0]]["status"] == "needs_review"
        # accept the first candidate of the first listing
        first = page.locator(f"#listing-{source}-{key}")
        candidate = before[queue[0]]["candidates"][0]["tmdb_id"]
        first.get_by_role("button", name=f"Accept {candidate}").click()
        page.wait_for_load_state("networkidle")
        assert "->" in page.locator(".flash").text_content()
        # reject every candidate of the second
        source2, key2 = queue[1]
        page.locator(f"#listing-{source2}-{key2}").get_by_role("button", name="Reject all").click()
        page.wait_for_load_state("networkidle")
        assert int(page.locator("#queue-size").text_content()) == len(queue) - 2
    finally:
        context.close()
    assert not [p for p in problems if "403" not in p and "400" not in p]
    after = matches(store)
    accepted, rejected = after[queue[0]], after[queue[1]]
    assert (accepted["status"], accepted["tmdb_id"], accepted["decided_by"]) == ("matched", candidate, "person")
    assert (rejected["status"], rejected["tmdb_id"], rejected["decided_by"]) == ("rejected", None, "person")
    untouched = {k: v for k, v in after.items() if k not in queue[:2]}
    assert untouched == {k: v for k, v in before.items() if k not in queue[:2]}


def test_a_listing_decided_elsewhere_is_not_overwritten(server, browser, store):
    from cineradar.items import TmdbMatch

    decided = next(r for r in store.fetch("tmdb_matches") if r["decided_by"] == "person")
    context, page, _ = visit(browser, f"{server}login", 1440)
    try:
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(f"{server}review")
        token = page.locator("header input[name=csrf_token]").get_attribute("value")
        answer = page.request.post(f"{server}review", form={
            "csrf_token": token, "listing_source": decided["listing_source"], "listing_key": decided["listing_key"],
            "action": "accept", "tmdb_id": "12345"})
        assert answer.ok and "already decided" in answer.text()
    finally:
        context.close()
    assert store.fetch(TmdbMatch.entity, {"listing_key": decided["listing_key"]})[0] == decided
