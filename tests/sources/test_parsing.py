"""Hostile XML: documents declaring entities are refused before feedparser sees them."""
import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sources.fetch import fetch_feed
from sources.ingest import ingest_feed_document
from sources.models import Feed
from sources.parsing import UnusableDocument, parse_feed_document, reject_entity_declarations
from tests.sources.hostile_xml import HOSTILE, external_entity

ROOT = Path(__file__).resolve().parents[2]

@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_document_declaring_entities_is_refused_before_parsing(name):
    with pytest.raises(UnusableDocument, match="declares XML entities"):
        parse_feed_document(HOSTILE[name])


def test_hostile_documents_are_refused_in_bounded_time_and_memory():
    # In a child process limited to 512 MB of address space: expanding any of these would need
    # far more, so passing means nothing was expanded.
    script = textwrap.dedent(f"""
        import json, resource, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        resource.setrlimit(resource.RLIMIT_AS, (512 * 1024 * 1024, 512 * 1024 * 1024))
        from sources.parsing import UnusableDocument, parse_feed_document
        from tests.sources.hostile_xml import HOSTILE
        results = {{}}
        for name, body in HOSTILE.items():
            started = time.monotonic()
            try:
                parse_feed_document(body)
                results[name] = "parsed"
            except UnusableDocument as exc:
                results[name] = "refused"
            results[name + " seconds"] = time.monotonic() - started
        print(json.dumps(results))
    """)
    env = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60, env=env, cwd=ROOT)
    assert done.returncode == 0, done.stderr[-2000:]
    results = json.loads(done.stdout.strip().splitlines()[-1])
    for name in HOSTILE:
        assert results[name] == "refused", name
        assert results[name + " seconds"] < 3, name


def test_an_external_entity_on_our_own_server_is_never_requested(db, feed_server):
    secret = feed_server.serve("/secret.txt", "TOP-SECRET", headers={"Content-Type": "text/plain"})
    feed_url = feed_server.serve("/xxe.xml", external_entity(secret))
    feed = Feed.objects.create(url=feed_url)
    body = fetch_feed(feed_url).body
    with pytest.raises(UnusableDocument):
        ingest_feed_document(feed, body)
    assert feed_server.requests_for("/secret.txt") == []
    assert not feed.reports.exists()


def test_an_external_dtd_without_entity_declarations_is_parsed_but_not_fetched(db, feed_server):
    # Old RSS 0.91 feeds name Netscape's DTD; the document is fine, and the DTD is never read.
    dtd = feed_server.serve("/rss.dtd", '<!ENTITY leak "LEAKED">', headers={"Content-Type": "text/plain"})
    body = (f'<?xml version="1.0"?><!DOCTYPE rss PUBLIC "-//Netscape//DTD RSS 0.91//EN" "{dtd}">'
            '<rss version="0.91"><channel><title>t</title><item><title>one</title>'
            '<link>https://news.example.org/1</link></item></channel></rss>').encode()
    parsed = parse_feed_document(body)
    assert [e.title for e in parsed.entries] == ["one"]
    assert feed_server.requests_for("/rss.dtd") == []


def test_a_plain_feed_passes_the_entity_check():
    reject_entity_declarations(b'<rss><channel><title>&amp; &#160; &lt;!ENTITY is text</title></channel></rss>')


def test_entities_spelled_in_an_encoding_named_only_by_the_content_type_are_refused():
    body = b'+ADw-!DOCTYPE rss +AFs-+ADw-!ENTITY a "b"+AD4-+AF0-+AD4-<rss><channel><title>&a;</title></channel></rss>'
    with pytest.raises(UnusableDocument, match="utf_7"):
        parse_feed_document(body, content_type="application/xml; charset=utf-7")
