"""Separate an article from the page furniture around it (menus, trending lists, footers).

Headlines in a "Trending" box or a "Related articles" list name other stories; matched as if
they were the article, they would attach a keyboard review to a border-surveillance event.
"""
import html
import re
from functools import lru_cache
from html.parser import HTMLParser

import nh3

from sources.matching.text import plain_text, split_sentences

# Elements whose whole content is page furniture, never the article.
FURNITURE_TAGS = frozenset({"nav", "aside", "footer", "header", "form", "script", "style", "noscript",
                            "template", "iframe", "svg", "button", "select", "menu"})
_VOID = frozenset({"br", "hr", "img", "input", "meta", "link", "source", "wbr", "area", "base", "col",
                   "embed", "param", "track"})
_BLOCK = frozenset({"p", "div", "li", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article", "tr",
                    "blockquote", "ul", "ol", "table", "main", "figcaption", "dd", "dt", "pre"})
# Sentences that are site chrome in any outlet's page. Matched against lower-cased text (see
# _names_site_chrome): a case-insensitive pattern costs Python's regex engine twice as much.
# The phrases are grouped by their first letters: at each word start the engine then tries a
# dozen branches rather than thirty-odd (the same phrases, a fifth less time per search).
_CHROME_PHRASES = (
    r"a(?:ccept cookies|dvertisement\b|dvertise with us|ll rights reserved)|"
    r"c(?:omments?\s*\(\d+\)|ookie (?:policy|settings)|ontact us|lick here|opyright\b)|"
    r"follow us|leave a comment|most (?:read|popular)|newsletter|privacy policy|"
    r"re(?:lated (?:articles|stories|posts|coverage)|ad more|commended for you)|"
    r"s(?:ubscribe|ign up|hare (?:on|this))|"
    r"t(?:erms of (?:use|service)|rending (?:now|stories|articles))|"
    r"use of cookies|we use cookies"
)
# Each phrase where a word starts: after a character that is not a word character, or at the
# start (with "trending" alone, as a heading), or a \u00a9 after a word character. Searched
# for from the non-word character (a pattern that starts with a character class lets the
# engine skip the letters in C; one that starts with \b is tried at every character), a
# third less time than one pattern that starts with \b.
_CHROME_AFTER_WORD_BREAK = re.compile(rf"\W(?:{_CHROME_PHRASES})")
_CHROME_AT_START = re.compile(rf"(?:{_CHROME_PHRASES}|trending\b)")
_COPYRIGHT_SIGN = re.compile(r"\w\u00a9")
# An element that can hold furniture or mark the article, or an attribute (class=, id=, role=,
# itemprop=) that can. The tag pattern starts with a literal "<", which the regex engine finds
# fast; the attribute is looked for only where the text has an "=".
_STRUCTURE_TAG = re.compile(r"<(?:nav|aside|footer|header|form|script|style|noscript|template|iframe|svg|button|"
                            r"select|menu|article|main|section|h[1-6])\b", re.IGNORECASE)
_STRUCTURE_ATTRIBUTE = re.compile(r"\b(?:class|id|role|itemprop)$", re.IGNORECASE)
_ATTRIBUTE_LAST_LETTERS = frozenset("sS\u017fdDeEpP")  # \u017f, the long s, matches s ignoring case


def _names_site_chrome(text):
    """True when text contains a phrase of site chrome ("Subscribe", "Read more", "Trending")."""
    text = text.lower()
    return (_CHROME_AFTER_WORD_BREAK.search(text) is not None or _CHROME_AT_START.match(text) is not None
            or ("\u00a9" in text and _COPYRIGHT_SIGN.search(text) is not None))


def _has_structure(content):
    """True when HTML has an element or attribute that can hold furniture or mark the article."""
    if _STRUCTURE_TAG.search(content):
        return True
    equals = content.find("=")
    while equals != -1:
        end = equals
        while end and content[end - 1].isspace():
            end -= 1
        # Most attributes (href=, src=) are ruled out by their last letter, without the regex:
        # class, id, role and itemprop end in one of these, ignoring case as the pattern does.
        if end and content[end - 1] in _ATTRIBUTE_LAST_LETTERS and _STRUCTURE_ATTRIBUTE.search(
                content, max(0, end - 8), end):
            return True
        equals = content.find("=", equals + 1)
    return False


class _Node:
    __slots__ = ("tag", "attrs", "children")

    def __init__(self, tag, attrs):
        self.tag, self.attrs, self.children = tag, attrs, []


class _TreeBuilder(HTMLParser):
    """A forgiving HTML to tree parser (unclosed tags close with their parent)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.root = _Node("root", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = _Node(tag, dict((k, v or "") for k, v in attrs))
        self.stack[-1].children.append(node)
        if tag not in _VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


_MARKER = re.compile(r"\b(nav|menu|sidebar|footer|related|trending|share|sharing|comments?|newsletter|promo|"
                     r"advert|ad-slot|subscribe|breadcrumbs?|popular)\b")


def _text_of(node):
    parts = []
    for child in node.children:
        parts.append(child if isinstance(child, str) else _text_of(child))
    return " ".join(parts)


def _is_furniture(node):
    if node.tag in FURNITURE_TAGS:
        return True
    marker = " ".join(filter(None, [node.attrs.get("class"), node.attrs.get("id")])).lower()
    if _MARKER.search(marker) or node.attrs.get("role") in ("navigation", "complementary", "banner",
                                                              "contentinfo"):
        return True
    # A block introduced by a heading such as "Related articles" or "Trending" is a list of links.
    for child in node.children:
        if isinstance(child, str):
            if child.strip():
                return False
            continue
        if child.tag in ("h1", "h2", "h3", "h4", "h5", "h6", "strong", "b"):
            return _names_site_chrome(_text_of(child)) and node.tag != "root"
        return False
    return False


def _collect(node, out, articles):
    for child in node.children:
        if isinstance(child, str):
            out.append(child)
            continue
        if _is_furniture(child):
            continue
        if child.tag == "a" and _is_chrome_link_text(_text_of(child)):
            continue
        if child.tag in ("article", "main") or child.attrs.get("itemprop") == "articleBody":
            inner = []
            _collect(child, inner, articles)
            articles.append("".join(inner))
            out.extend(inner)
            continue
        block = child.tag in _BLOCK
        if block:
            out.append("\n")
        _collect(child, out, articles)
        if block:
            out.append("\n")


def _drop_furniture_blocks(text):
    """Drop lines and sentences that are site chrome, and blocks headed 'Related' or 'Trending'."""
    if not _names_site_chrome(text):
        # Each line with its whitespace collapsed, blank ones dropped (a line is blank when it
        # splits into no words), in loops that run in C.
        return "\n".join(map(" ".join, filter(None, map(str.split, text.split("\n")))))
    kept = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if not line:
            continue
        sentences = [s for s in split_sentences(line) if s and not _names_site_chrome(s)]
        if sentences:
            kept.append(" ".join(sentences))
    return "\n".join(kept)


# Tags that end a block of text: in the fast path they become line breaks, so that a paragraph
# of site chrome ("Read more") is dropped on its own, never with the paragraphs around it.
_BLOCK_BOUNDARY = re.compile(r"</?(?:p|div|li|h[1-6]|br|tr|td|blockquote|ul|ol|table|pre|dd|dt|figcaption)\b[^<>]*>",
                             re.IGNORECASE)


# A link whose whole text is site chrome ("Read more", "Share on X", "Subscribe"): the link is
# furniture, the sentence it ends is not (feeds often end each paragraph with one).
# ([^<>]* in tags: a tag ends before the next "<", so "<a<a<a..." costs linear time.)
_LINK = re.compile(r"<a\b[^<>]*>([^<]{0,80})</a\s*>", re.IGNORECASE)
_CHROME_LINK_WORDS = 6


@lru_cache(maxsize=4096)
def _is_chrome_link_text(text):
    # Remembered: feeds end paragraph after paragraph with the same few links ("Read more").
    return len(text.split()) <= _CHROME_LINK_WORDS and _names_site_chrome(text)


def _drop_chrome_link(match):
    return " " if _is_chrome_link_text(html.unescape(match.group(1))) else match.group(0)


# What the tree builder reads: the elements it tells furniture or the article by, block
# elements, links, and the attributes that mark furniture or the article.
_PARSED_TAGS = (FURNITURE_TAGS | _BLOCK | _VOID | {"a", "main", "span", "td", "th"}) - {"script", "style"}
_PARSED_ATTRIBUTES = {"*": {"class", "id", "role", "itemprop"}}


def well_formed(content):
    """Return HTML re-serialised by nh3 (html5ever, linear time): only the tags and attributes
    the tree builder reads, every tag closed, attribute values quoted.

    Python's html.parser takes quadratic time on some malformed input ("<div class=" repeated:
    each unclosed tag is scanned to the end of the text); on well-formed HTML it is linear.
    """
    return nh3.clean(content, tags=set(_PARSED_TAGS), attributes=_PARSED_ATTRIBUTES, link_rel=None,
                     url_schemes=set(), strip_comments=True)


def article_text(content):
    """Return the article's own text from an HTML (or plain) body, without page furniture.

    When the page marks its article (<article>, <main>, itemprop=articleBody) only that is kept;
    otherwise everything outside navigation, asides, headers, footers and forms.
    """
    if not content:
        return ""
    if "<" not in content or not _has_structure(content):
        # No element that can hold furniture or mark the article: strip tags (fast path).
        if "<" in content:
            if "<a" in content or "<A" in content:
                content = _LINK.sub(_drop_chrome_link, content)
            content = _BLOCK_BOUNDARY.sub("\n", content)
        return _drop_furniture_blocks(plain_text(content))
    builder = _TreeBuilder()
    try:
        builder.feed(well_formed(content))
        builder.close()
    except Exception:  # html.parser is lenient; fall back to tag stripping on anything odd
        return _drop_furniture_blocks(plain_text(content))
    everything, articles = [], []
    _collect(builder.root, everything, articles)
    chosen = "\n".join(articles) if any(a.strip() for a in articles) else "".join(everything)
    return _drop_furniture_blocks(chosen)


# A line of an article reads as prose: a sentence of PROSE_MIN_WORDS words or more that ends as
# sentences do, or a long passage. Menus, link lists, other stories' headlines, bylines, dates
# and share bars are short lines that end without a full stop, whatever the site.
PROSE_MIN_WORDS = 8
PROSE_LONG_WORDS = 25
_SENTENCE_CLOSE = re.compile(r"[.!?:;][\"'\u201d\u2019)\]]*$")


def prose(text):
    """Return the lines of article text (article_text's, one block per line) that read as
    prose; the whole text when none does (a short summary, a headline-only item)."""
    lines = []
    for line in text.split("\n"):
        words = len(line.split())
        if words >= PROSE_LONG_WORDS or (words >= PROSE_MIN_WORDS and _SENTENCE_CLOSE.search(line.rstrip())):
            lines.append(line)
    return "\n".join(lines) if lines else text
