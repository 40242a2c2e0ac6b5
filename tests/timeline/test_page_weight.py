"""The byte budget: pages stay light (no scripts, no fonts, no images, one small stylesheet)."""
import re
from pathlib import Path

import pytest

from tests.timeline.page_helpers import fresh_cache, make_events, world  # noqa: F401

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]

STYLESHEET = Path(__file__).resolve().parents[2] / "timeline" / "static" / "timeline" / "site.css"
PAGE_BUDGET = 16 * 1024        # HTML of a record page or the seed timeline
FULL_TIMELINE_BUDGET = 64 * 1024  # a full page of 50 events with the chart
CSS_BUDGET = 6 * 1024


@pytest.mark.parametrize("url", [
    "/", "/timeline/", "/events/anzalduas-vehicle-face-test-results/", "/programs/immigrationos/",
    "/agencies/dhs/", "/search/?q=cbp", "/about/",
])
def test_seed_pages_fit_the_budget_and_load_nothing_but_the_stylesheet(client, seed, url):
    html = client.get(url).content.decode()
    assert len(html.encode()) <= PAGE_BUDGET
    assert "<script" not in html and "<img" not in html and "@font-face" not in html
    assert re.findall(r'<link rel="stylesheet" href="([^"]+)"', html) == ["/static/timeline/site.css"]


def test_a_full_timeline_page_fits_its_budget(client, db):
    make_events(60, world())
    assert len(client.get("/timeline/").content) <= FULL_TIMELINE_BUDGET


def test_the_stylesheet_fits_its_budget():
    assert STYLESHEET.stat().st_size <= CSS_BUDGET
