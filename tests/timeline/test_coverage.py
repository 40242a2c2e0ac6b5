from django.template import Context, Template

from timeline.coverage import CoverageItem, fold_copies
from timeline.templatetags.timeline_tags import sanitize_feed_html


def item(key, headline, is_copy=False, copy_of=None):
    return CoverageItem(key=key, outlet=key, headline=headline, date=None, url=None, is_copy=is_copy, copy_of=copy_of)


def test_copies_fold_under_the_original_they_name_or_share_a_headline_with():
    original = item("a", "Border cameras expand")
    named = item("b", "Something else entirely", copy_of="a")
    same_headline = item("c", "BORDER CAMERAS EXPAND!", is_copy=True)
    copy_of_copy = item("d", "x", copy_of="b")
    independent = item("e", "Border cameras expand")  # original reporting that happens to share it
    folded = fold_copies([original, named, same_headline, copy_of_copy, independent])
    assert [i.key for i in folded] == ["a", "e"]
    assert [c.key for c in original.copies] == ["b", "c", "d"]


def test_a_copy_whose_original_is_unknown_stands_on_its_own():
    lonely = item("z", "Nothing like it", is_copy=True)
    assert fold_copies([item("a", "Other"), lonely])[1] is lonely


HOSTILE = (
    '<p>Read <a href="javascript:alert(1)">this</a> <img src=x onerror="alert(2)">'
    '<script>alert(3)</script><a href="https://ok.example.org/" onclick="alert(4)">ok</a>'
    '<style>body{display:none}</style><iframe src="https://evil.example"></iframe></p>'
)


def test_hostile_feed_html_is_made_inert():
    clean = sanitize_feed_html(HOSTILE)
    lowered = clean.lower()
    for bad in ("<script", "onerror", "onclick", "javascript:", "<img", "<style", "<iframe", "alert(3)"):
        assert bad not in lowered
    assert '<a href="https://ok.example.org/" rel="nofollow noopener noreferrer">ok</a>' in clean


def test_a_hostile_summary_renders_inert_in_the_coverage_block():
    hostile = CoverageItem(key="r:1", outlet="Feed", headline="<b>Head</b>", date=None, url="javascript:alert(5)",
                           summary=HOSTILE)
    html = Template('{% include "timeline/_coverage_item.html" %}').render(Context({"item": hostile}))
    lowered = html.lower()
    assert "<script" not in lowered and "onerror" not in lowered and "javascript:" not in lowered
    assert "&lt;b&gt;Head&lt;/b&gt;" in html  # headlines are text, never markup
