"""Recognise a report that copies an earlier one: syndicated, re-wrapped or lightly reworded.

Both texts are read whole, as prose: furniture.prose keeps the lines that read as sentences, so
menus, other stories' headlines, bylines and share bars (short lines, any site) are not compared.
Each becomes a set of overlapping word triples (shingles). A copy and its original share most of
the shorter text's shingles, wherever it was cut off or however its headline was reworded; a few
changed words remove only the triples around them. Independent stories about the same event
share facts, names and the odd quotation, but few word-for-word triples.

Candidates are found through winnowed fingerprints (Schleimer, Wilkerson and Aiken, 2003):
a deterministic subset of shingle hashes that is guaranteed to share at least one hash with
any passage of WINDOW + SHINGLE - 1 matching words, so copies can be looked up by index.
A window of 8 keeps about 2 / 9 of a text's shingles (a quarter fewer stored rows than a window
of 5); a copy shares tens of passages of ten words or more with its original, so lookups by
these fingerprints still find it.
"""
import hashlib
from dataclasses import dataclass
from operator import xor

from sources.matching.decisions import ATTACHED, PROPOSED, Decision
from sources.matching.furniture import prose
from sources.matching.text import copy_words, strip_site_name

SHINGLE = 3
WINDOW = 8                  # see the module docstring; changing it changes stored fingerprints
MIN_SHINGLES = 6            # texts shorter than this are compared by headline only
# Share of the shorter text's triples found in the other (containment), and how many that is.
COPY_CONTAINMENT = 0.35     # with similar headlines (TITLE_SIMILARITY)
COPY_CONTAINMENT_ALONE = 0.6  # whatever the headlines, with MIN_SHARED triples or more
COPY_CONTAINMENT_SHORT = 0.85
MIN_SHARED = 20             # passages of a quotation or two are not a copy (half a short text)
TITLE_SIMILARITY = 0.5
MIN_SAME_TITLE_WORDS = 6    # the very same headline, this long, when one text has little prose:
COMPARABLE_SHINGLES = 50    # fewer triples than this (a paragraph or two) is little prose


# Each word has one 63-bit value per position in a shingle, all from one BLAKE2b digest of the
# word; a shingle's hash is the XOR of its words' values for their positions (simple tabulation
# hashing, with the words as the characters: 3-independent, so distinct triples collide no more
# often than random 63-bit values do). Words repeat across reports, so each word is hashed once
# and remembered, and a text's shingles are then hashed by map() over those tables: no Python
# call and no hash object per shingle, a fifth of the time of one BLAKE2b per triple.
#
# Changing anything here changes the stored fingerprints (ReportFingerprint): ship it with a
# migration that recomputes them (as sources/migrations/0005_fingerprints_v2 does), or stored
# reports stop being found as the originals of new copies.
HASH_PERSON = b"shingle-v2"
MAX_SHINGLE = 4            # positions with a table of their own (SHINGLE and the tests' sizes)
WORD_TABLES_LIMIT = 200_000


class _WordTable(dict):
    """{word: its value at one shingle position}; a missing word fills every position's table."""

    __slots__ = ()

    def __missing__(self, word):
        _fill_word_tables(word)
        return self[word]


_WORD_TABLES = tuple(_WordTable() for _ in range(MAX_SHINGLE))


def word_values(word):
    """Return the word's value at each shingle position (63-bit integers, from its BLAKE2b)."""
    digest = _blake2b(word.encode("utf-8"), digest_size=8 * MAX_SHINGLE, person=HASH_PERSON).digest()
    return tuple(_from_bytes(digest[8 * k:8 * k + 8], "big") >> 1 for k in range(MAX_SHINGLE))


def _fill_word_tables(word):
    if len(_WORD_TABLES[0]) >= WORD_TABLES_LIMIT:
        for table in _WORD_TABLES:  # all together: a word is in every table or in none
            table.clear()
    for table, value in zip(_WORD_TABLES, word_values(word)):
        dict.__setitem__(table, word, value)


def _hash(text):
    """Return the hash of one shingle given as its words joined by spaces (tests, short texts)."""
    words = text.split(" ")
    return shingle_hashes(words, size=len(words))[0]


_blake2b = hashlib.blake2b
_from_bytes = int.from_bytes


def shingle_hashes(words, size=SHINGLE):
    """Return the hashes of a word list's n-grams, in order (none when it has fewer words)."""
    if not 1 <= size <= MAX_SHINGLE:
        raise ValueError(f"shingles of 1 to {MAX_SHINGLE} words, not {size}")
    if len(words) < size:
        return []
    # Every word is looked up in the first table before any other (a miss fills them all), so
    # the later lookups always find it. map() stops at its shortest input: position k of the
    # n-gram starting at word i is word i + k.
    hashes = map(_WORD_TABLES[0].__getitem__, words)
    for k in range(1, size):
        hashes = map(xor, hashes, map(_WORD_TABLES[k].__getitem__, words[k:]))
    return list(hashes)


def shingles(words, size=SHINGLE):
    """Return the set of hashed word n-grams of a word list."""
    if len(words) < size:
        return {_hash(" ".join(words))} if words else set()
    return set(shingle_hashes(words, size))


def winnow(words, size=SHINGLE, window=WINDOW, hashes=None):
    """Return the winnowed fingerprints of a word list (the minimum hash of each window).

    hashes: shingle_hashes(words, size), when the caller has them already.
    """
    if hashes is None:
        hashes = shingle_hashes(words, size)
    if len(hashes) <= window:
        return set(hashes)
    # The minimum of each run of `window` consecutive hashes (zip stops at the last full run).
    return set(map(min, zip(*(hashes[k:] for k in range(window)))))


@dataclass
class CopyText:
    """A report reduced to what copy detection compares."""

    title_words: list
    body_words: list
    _body_shingles: set = None
    _body_hashes: list = None

    @property
    def body_hashes(self):
        if self._body_hashes is None:
            self._body_hashes = shingle_hashes(self.body_words)
        return self._body_hashes

    @property
    def body_shingles(self):
        if self._body_shingles is None:
            # The same hashes as the fingerprints: each triple is hashed once.
            self._body_shingles = set(self.body_hashes) if len(self.body_words) >= SHINGLE else shingles(
                self.body_words)
        return self._body_shingles

    @classmethod
    def of(cls, title, body):
        """body: the report's whole article text, one block per line (scoring.article_body);
        only its prose is compared."""
        return cls(copy_words(strip_site_name(title or "")), copy_words(prose(body or "")))

    @property
    def words(self):
        return self.title_words + ["\u00b6"] + self.body_words

    def fingerprints(self):
        return winnow(self.title_words) | winnow(self.body_words, hashes=self.body_hashes)


def title_similarity(a, b):
    """Jaccard similarity of two headlines' word sets."""
    sa, sb = set(a), set(b)
    if not sa or not sb:
        return 0.0
    return len(sa & sb) / len(sa | sb)


def copy_evidence(new, earlier):
    """Return (is_copy, details) for a later report `new` against an `earlier` one."""
    earlier_body = earlier.body_shingles
    new_body = new.body_shingles
    headline = title_similarity(new.title_words, earlier.title_words)
    shorter = min(len(earlier_body), len(new_body))
    same_headline = bool(new.title_words) and new.title_words == earlier.title_words
    if min(len(earlier.body_words), len(new.body_words)) >= MIN_SHINGLES + SHINGLE - 1 and shorter:
        shared = len(earlier_body & new_body)
        contained = shared / shorter
        # A short text must be nearly all shared, unless the headlines agree too.
        is_copy = (contained >= COPY_CONTAINMENT_SHORT or (
            contained >= COPY_CONTAINMENT_ALONE and shared >= MIN_SHARED) or (
            contained >= COPY_CONTAINMENT and headline >= TITLE_SIMILARITY and shared >= min(MIN_SHARED, shorter // 2)))
    else:
        contained, is_copy = None, same_headline and earlier.body_words == new.body_words
    # A page cut off before its article says little but its headline: the very same long one.
    if not is_copy and same_headline and len(new.title_words) >= MIN_SAME_TITLE_WORDS:
        is_copy = shorter < COMPARABLE_SHINGLES
    return is_copy, {"containment": None if contained is None else round(contained, 3),
                     "headline_similarity": round(headline, 3)}


def find_copy_of(new, earlier_reports):
    """Return (id, details) of the earliest report in earlier_reports [(id, CopyText)] that new
    copies, or (None, None). Pass them in the order they were stored."""
    for report_id, earlier in earlier_reports:
        is_copy, details = copy_evidence(new, earlier)
        if is_copy:
            return report_id, details
    return None, None


def follow_original(decisions, original_links, rejected_on_copies=frozenset(), original_id=None):
    """Return a copy's decisions: those of its original, never above it.

    decisions: the copy's own Decisions (best first); original_links: {event id: (status,
    score, slug)} of the original's links, curators' decisions included; rejected_on_copies:
    events a curator rejected on an earlier copy of the same original. A copy is the same
    report: it goes to the events its original stands on (attached), is proposed where the
    original is proposed, and nowhere the original was rejected or never went.
    """
    own = {d.event_id: d for d in decisions}
    followed = []
    for event_id, (status, score, slug) in original_links.items():
        if status == "rejected" or event_id in rejected_on_copies:
            continue
        mine = own.get(event_id)
        explanation = dict(mine.explanation if mine else {}, follows_original=original_id)
        followed.append(Decision(event_id, slug, round(min(score, mine.score if mine else score), 4),
                                 ATTACHED if status in ("attached", "approved") else PROPOSED,
                                 explanation=explanation))
    followed.sort(key=lambda d: (-d.score, d.slug))
    standing = [d for d in followed if d.status == ATTACHED]
    if followed:
        (standing[0] if standing else followed[0]).is_primary = True
    return followed
