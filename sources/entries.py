"""Feed entries as plain data: what a Report is made of, and each entry's identity in its feed.

Pure functions over a feedparser result; no database.
"""
import calendar
import hashlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone as dt_timezone

from sources.canonical import canonical_url

# A date this far past the fetch time is treated as a typo or a lie, not as the publication date.
FUTURE_TOLERANCE = timedelta(minutes=10)
MAX_GUID = 2000
MAX_AUTHOR = 500


@dataclass
class EntryData:
    guid: str
    link: str  # canonical, "" when absent or not http/https
    title: str
    summary: str
    content: str
    author: str
    published: datetime
    published_fallback: str  # "" (from the feed), "missing" or "future": see Report.PublishedFallback
    content_hash: str
    key: str = ""


def clean_text(value):
    """Return text the database accepts: a str without NUL characters or lone surrogates."""
    if not value:
        return ""
    if not isinstance(value, str):
        value = str(value)
    if "\x00" in value:
        value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _entry_date(entry, fetched_at):
    for field in ("published_parsed", "updated_parsed", "created_parsed"):
        value = entry.get(field)
        if value:
            try:
                when = datetime.fromtimestamp(calendar.timegm(value), tz=dt_timezone.utc)
            except (OverflowError, ValueError, OSError, TypeError):
                continue
            if when > fetched_at + FUTURE_TOLERANCE:
                return fetched_at, "future"
            return when, ""
    return fetched_at, "missing"


def _entry_content(entry):
    parts = []
    for item in entry.get("content") or ():
        value = item.get("value") if hasattr(item, "get") else None
        if value:
            parts.append(value)
    return "\n".join(parts)


def hash_text(*parts):
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8", "replace"))
        digest.update(b"\x00")
    return digest.hexdigest()


def extract_entries(parsed, fetched_at, base_url=""):
    """Return (entries, problems): usable entries of a feedparser result, each with its key, and
    a note for every entry that had nothing worth storing.

    An entry's key is its GUID; when the GUID is missing or shared by several items of the
    document, its canonical link; when that is missing or shared too, a hash of its text. The
    same document always gives the same keys, so storing it twice stores nothing new.
    """
    entries, problems = [], []
    for position, entry in enumerate(parsed.entries, 1):
        guid = clean_text(entry.get("id") or entry.get("guid") or "").strip()[:MAX_GUID]
        link = canonical_url(clean_text(entry.get("link") or ""), base=base_url or None)
        title = clean_text(entry.get("title") or "")
        summary = clean_text(entry.get("summary") or "")
        content = clean_text(_entry_content(entry))
        if not (title.strip() or link or summary.strip() or content.strip()):
            problems.append(f"entry {position} has no title, link or text")
            continue
        published, fallback = _entry_date(entry, fetched_at)
        entries.append(EntryData(
            guid=guid, link=link, title=title, summary=summary, content=content,
            author=clean_text(entry.get("author") or "").strip()[:MAX_AUTHOR],
            published=published, published_fallback=fallback,
            content_hash=hash_text(title, summary, content),
        ))
    assign_keys(entries)
    return entries, problems


def assign_keys(entries):
    """Set each entry's key (sha256 hex): GUID, else canonical link, else text hash (see above)."""
    guids = Counter(e.guid for e in entries if e.guid)
    links = Counter(e.link for e in entries if e.link)
    for e in entries:
        if e.guid and guids[e.guid] == 1:
            identity = "guid", e.guid
        elif e.link and links[e.link] == 1:
            identity = "link", e.link
        else:
            identity = "text", e.link, e.content_hash
        e.key = hash_text(*identity)
