"""Recognise a report that copies an earlier one: syndicated, re-wrapped or lightly reworded.

Both texts become sets of overlapping word triples (shingles). A copy contains most of the
earlier report's shingles, whatever page furniture is wrapped around it; a few changed words
remove only the triples around them. Independent stories about the same event share facts
and names but few word-for-word triples, and their headlines differ.

Candidates are found through winnowed fingerprints (Schleimer, Wilkerson and Aiken, 2003):
a deterministic subset of shingle hashes that is guaranteed to share at least one hash with
any passage of WINDOW + SHINGLE - 1 matching words, so copies can be looked up by index.
"""
import hashlib
from dataclasses import dataclass

from sources.matching.text import copy_words, strip_site_name

SHINGLE = 3
WINDOW = 5
MIN_SHINGLES = 6            # texts shorter than this are compared by headline only
COPY_CONTAINMENT = 0.6      # share of the earlier report's triples found in the later one
COPY_CONTAINMENT_ALONE = 0.85
TITLE_SIMILARITY = 0.5


def _hash(text):
    return int.from_bytes(_blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") >> 1


_blake2b = hashlib.blake2b
_from_bytes = int.from_bytes
# An empty BLAKE2b state with an 8-byte digest: copying it is cheaper than setting one up from
# its parameters, which is most of the cost of hashing a few words.
_BLAKE2B_8 = hashlib.blake2b(digest_size=8)


def shingle_hashes(words, size=SHINGLE):
    """Return the hashes of a word list's n-grams, in order (none when it has fewer words)."""
    # What _hash does to each n-gram, with the n-grams joined by map() (no slice per n-gram)
    # and each hash started from a copy of _BLAKE2B_8. The values are the same (stored
    # fingerprints stay comparable).
    hashes = []
    append, empty = hashes.append, _BLAKE2B_8.copy
    for gram in map(" ".join, zip(*(words[k:] for k in range(size)))):
        state = empty()
        state.update(gram.encode("utf-8"))
        append(_from_bytes(state.digest(), "big") >> 1)
    return hashes


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
    def of(cls, title, body, body_words=None):
        """body_words: the body already split by text.raw_words, when the caller has it."""
        return cls(copy_words(strip_site_name(title or "")), copy_words(body or "", body_words))

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
    if len(earlier.body_words) >= MIN_SHINGLES + SHINGLE - 1 and earlier_body:
        contained = len(earlier_body & new_body) / len(earlier_body)
        is_copy = (contained >= COPY_CONTAINMENT and headline >= TITLE_SIMILARITY) or (
            contained >= COPY_CONTAINMENT_ALONE and len(earlier_body) >= 20)
    else:
        # Headline-only items: only the very same headline (site name aside) is a copy.
        contained = None
        is_copy = bool(new.title_words) and new.title_words == earlier.title_words and (
            not earlier.body_words or earlier.body_words == new.body_words)
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
