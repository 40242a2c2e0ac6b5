"""Feed documents built in code for the tests."""
from email.utils import format_datetime
from datetime import datetime, timedelta, timezone
from xml.sax.saxutils import escape


def item(n, *, guid=None, link=None, title=None, description=None, published=None, content=None):
    if published is None:
        published = datetime(2025, 5, 1, 12, 0, tzinfo=timezone.utc) + timedelta(hours=n)
    parts = [f"<title>{escape(title if title is not None else f'Report number {n}')}</title>"]
    if guid is not False:
        parts.append(f'<guid isPermaLink="false">{escape(guid or f"item-{n}")}</guid>')
    if link is not False:
        parts.append(f"<link>{escape(link or f'https://news.example.org/story/{n}')}</link>")
    parts.append(f"<description>{escape(description or f'Summary of report {n}.')}</description>")
    if content:
        parts.append(f"<content:encoded>{escape(content)}</content:encoded>")
    if published is not False:
        parts.append(f"<pubDate>{format_datetime(published)}</pubDate>")
    return "<item>" + "".join(parts) + "</item>"


def rss(*items, title="Test feed"):
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel>'
        f"<title>{escape(title)}</title><link>https://news.example.org/</link><description>d</description>"
        + "".join(items) + "</channel></rss>"
    ).encode("utf-8")


def rss_of(count, **kwargs):
    return rss(*(item(n) for n in range(1, count + 1)), **kwargs)
