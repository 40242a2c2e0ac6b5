"""Turn fetched bytes into a feedparser result, refusing documents that declare XML entities.

feedparser never fetches here: it is given the bytes as a stream. Entity declarations are
rejected before it sees them because they are how XML documents attack their parser: the
billion laughs (nested entities), external entities (file:///etc/passwd, URLs on our own
network) and the quadratic blow-up (one large entity referenced many times, which feedparser's
loose fallback parser expands without limit). Real feeds do not need them.
"""
import codecs
import io
import re

import feedparser

# "<!ENTITY" in any case, with optional whitespace after "<!" (lenient parsers accept it).
_ENTITY_DECLARATION = re.compile(r"<!\s*entity", re.IGNORECASE)
_ENTITY_DECLARATION_BYTES = re.compile(rb"<!\s*entity", re.IGNORECASE)
# Encodings in which "<!ENTITY" is not plain ASCII bytes; XML allows all of them.
_WIDE_ENCODINGS = ("utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be")
_EBCDIC_MARKERS = (b"\x4c\x6f\xa7\x94",)  # "<?xm" in EBCDIC, as feedparser detects it


class UnusableDocument(Exception):
    """The document cannot be ingested; the message says why, for the feed's last error."""


_XML_DECLARED_ENCODING = re.compile(rb"""^[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']""")
_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?([A-Za-z0-9._:-]{1,40})""", re.IGNORECASE)
# Encodings in which "<!ENTITY" is the same ASCII bytes: the byte search already covers them.
_ASCII_COMPATIBLE = frozenset({"utf_8", "ascii", "latin_1", "iso8859_1", "cp1252", "iso8859_15"})


def _declared_encodings(body, content_type):
    """Encodings the document or its Content-Type name, which feedparser may decode it with."""
    names = []
    match = _XML_DECLARED_ENCODING.search(body.lstrip(b"\xef\xbb\xbf")[:300])
    if match:
        names.append(match.group(1).decode("ascii"))
    match = _HTTP_CHARSET.search(content_type or "")
    if match:
        names.append(match.group(1))
    found = []
    for name in names:
        try:
            codec = codecs.lookup(name).name.replace("-", "_")
        except LookupError:
            continue
        if codec not in _ASCII_COMPATIBLE:
            found.append(codec)
    return found


def reject_entity_declarations(body, content_type=""):
    """Raise UnusableDocument if the document declares XML entities, in whatever encoding.

    Looks at the raw bytes (every ASCII-compatible encoding), at UTF-16/32 and EBCDIC forms,
    and at the document decoded with any other encoding it or its Content-Type declares (UTF-7
    can spell "<" as "+ADw-").
    """
    if _ENTITY_DECLARATION_BYTES.search(body):
        raise UnusableDocument("refused: the document declares XML entities (<!ENTITY>), "
                               "which can expand without limit or read local files")
    candidates = _declared_encodings(body, content_type)
    if b"\x00" in body[:1024]:
        candidates.extend(_WIDE_ENCODINGS)
    if body.startswith(_EBCDIC_MARKERS):
        candidates.append("cp037")
    for encoding in dict.fromkeys(candidates):
        wide = encoding.startswith(("utf_16", "utf_32", "utf-16", "utf-32"))
        for offset in range(4 if wide else 1):
            try:
                text = body[offset:].decode(encoding, errors="ignore")
            except (LookupError, UnicodeError):
                continue
            if _ENTITY_DECLARATION.search(text):
                raise UnusableDocument(f"refused: the document ({encoding}) declares XML entities (<!ENTITY>)")


def looks_like_html(body):
    head = body[:2048].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or b"<html" in head[:512]


def parse_feed_document(body, *, content_type=""):
    """Parse feed bytes with feedparser after refusing entity declarations (no network, no DB).

    Raises UnusableDocument when nothing in the document is a feed. HTML is kept raw: it is
    sanitised where it is shown, with sources.sanitize.
    """
    if not body or not body.strip():
        raise UnusableDocument("the document is empty")
    reject_entity_declarations(body, content_type)
    # No content-location: feedparser would resolve every URL it meets against it (ten urljoins
    # an entry); sources.entries resolves the one link it keeps.
    headers = {}
    if content_type:
        headers["content-type"] = content_type
    # A stream, never the bytes themselves: feedparser treats a str/bytes argument as a URL or
    # a file name when it looks like one.
    # HTML is stored exactly as sent: feedparser neither sanitises it nor rewrites its relative
    # links (that rewriting re-parses every entry's HTML and was most of the ingest time);
    # sources.sanitize resolves links when the HTML is shown.
    parsed = feedparser.parse(io.BytesIO(body), response_headers=headers, sanitize_html=False,
                              resolve_relative_uris=False)
    if not parsed.entries and not parsed.get("version"):
        if looks_like_html(body):
            raise UnusableDocument("not a feed: the document is an HTML page")
        problem = parsed.get("bozo_exception")
        raise UnusableDocument(f"not a feed: {problem}" if problem else "not a feed: no RSS, Atom or JSON feed found")
    return parsed


def describe_problem(parsed):
    """Return a one-line description of what was wrong with a document that still parsed."""
    if not parsed.get("bozo"):
        return ""
    exc = parsed.get("bozo_exception")
    return f"{type(exc).__name__}: {exc}"[:1000] if exc else "the document is not well-formed"
