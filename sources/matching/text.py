"""Turn report and event text into comparable terms.

Case matters for one thing only: a word written in capitals inside normal text ("ICE", "US")
is an acronym and is kept apart from the ordinary word ("ice", "us"). A headline written
entirely in capitals carries no such signal, so it is folded to lower case.
"""
import html
import re
from functools import lru_cache

import snowballstemmer

_stemmer = snowballstemmer.stemmer("english")

STOPWORDS = frozenset("""
a about above after again against all almost also although am among an and any are aren't as at
be because been before being below between both but by can cannot could did do does doing done
down during each either else even ever every few for from further get gets got had has have having
he her here hers herself him himself his how however i if in into is it its itself just least
less let like made make makes many may me might more most much must my myself near nearly neither
never new no nor not now of off often on once one only or other others our ours ourselves out over
own per perhaps quite rather really said same say says she should since so some still such than
that the their theirs them themselves then there these they this those though through thus to
too toward towards under until up upon us very via was we well were what when where whether which
while who whom whose why will with within without would yet you your yours yourself week weeks
today yesterday tomorrow monday tuesday wednesday thursday friday saturday sunday told according
""".split())

# Domain vocabulary that reporting uses interchangeably. Each group collapses to its first
# word. This is a curated thesaurus of general terms of the field (not of any one story); it
# is deliberately small: every entry must be a true synonym in this domain.
EQUIVALENT_TERMS = [
    ("car", "cars", "vehicle", "vehicles", "automobile", "automobiles"),
    ("photo", "photos", "photograph", "photographs", "photographed", "photographing", "picture",
     "pictures", "image", "images"),
    ("face", "faces", "facial"),
    ("leave", "leaving", "left", "leaves", "exit", "exits", "exiting", "exited", "depart", "departing",
     "departure", "departures", "departed", "outbound"),
    ("enter", "entering", "enters", "entered", "entry", "inbound"),
    ("migrant", "migrants", "immigrant", "immigrants"),
    ("company", "companies", "firm", "firms", "vendor", "vendors"),
    ("contract", "contracts", "deal", "deals", "award", "awards", "awarded"),
    ("pay", "pays", "paid", "paying", "payment", "payments", "stipend", "stipends"),
    ("test", "tests", "trial", "trials", "pilot", "pilots"),
    ("dead", "deceased", "death", "deaths"),
    ("passenger", "passengers", "occupant", "occupants", "rider", "riders", "traveller", "travellers",
     "traveler", "travelers"),
    ("app", "apps"),
    ("camera", "cameras"),
    ("self-deport", "self-deportation", "self-deportations", "self-deported", "self-deporting"),
]
_CANONICAL = {}
for group in EQUIVALENT_TERMS:
    for word in group:
        _CANONICAL[word] = group[0]

# A word: letters/digits with inner apostrophes, dots (U.S.) or hyphens; money and percentages
# are recognised before splitting so "$30 million" and "$30M" become one token.
_MONEY = re.compile(
    r"\$\s?(\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s?(million|billion|thousand|mn|bn|m|b|k)?\b", re.IGNORECASE)
_PERCENT = re.compile(r"(\d+(?:\.\d+)?)\s?(?:%|percent\b|per cent\b)", re.IGNORECASE)
# Possessive quantifiers (++, *+): every part after the first letters is optional, so giving
# letters back never yields another match; the engine then keeps no backtracking state, a fifth
# less time per word.
_WORD = re.compile(r"[$]?+[0-9A-Za-z\u00c0-\u024f]++(?:['\u2019.\-][0-9A-Za-z\u00c0-\u024f]++)*+%?+")
# A tag ends at the next '>' or before the next '<': '<<<<' then costs one step per character
# (with [^>]* each '<' would scan to the end of the text, quadratic time on hostile input).
_TAG = re.compile(r"<[^<>]*>")
_SCALE = {"thousand": "k", "k": "k", "million": "m", "mn": "m", "m": "m", "billion": "b", "bn": "b", "b": "b"}


def _money(match):
    number = match.group(1).replace(",", "")
    scale = _SCALE.get((match.group(2) or "").lower(), "")
    try:
        value = float(number)
    except ValueError:  # pragma: no cover - the pattern only admits numbers
        return match.group(0)
    if not scale and value >= 1000:
        for size, suffix in ((1e9, "b"), (1e6, "m"), (1e3, "k")):
            if value >= size:
                value, scale = value / size, suffix
                break
    text = f"{value:.1f}".rstrip("0").rstrip(".")
    return f" ${text}{scale} "


def plain_text(text):
    """Return text with tags removed and HTML entities decoded."""
    if not text:
        return ""
    return html.unescape(_TAG.sub(" ", text))


_ASCII_LOWER = re.compile(r"[a-z]")


def is_shouting(text):
    """True when text has several letters and none of them is lower case (an all-caps headline)."""
    if _ASCII_LOWER.search(text):
        return False  # the common case, decided without walking every character
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 12 and not any(c.islower() for c in letters)


def normal_word(word):
    """Return one token as raw_words gives it: a typographic apostrophe made plain, a possessive
    dropped ("DHS's" -> "DHS"), a short dotted abbreviation closed up ("U.S." -> "US")."""
    if "\u2019" in word:
        word = word.replace("\u2019", "'")
    if "'" in word:
        if word.endswith("'s"):
            word = word[:-2]
        elif word.endswith("s'"):
            word = word[:-1]
    if "." in word:
        bare = word.replace(".", "")
        if bare.isalpha() and len(bare) <= 4:
            word = bare  # U.S. -> US
    return word


def raw_words(text):
    """Split text into words, keeping their case; money and percentages become one token each."""
    # The substitutions scan the whole text; skip them when it cannot contain what they look for.
    if "$" in text:
        text = _MONEY.sub(_money, text)
    if "%" in text or "cent" in text.lower():
        text = _PERCENT.sub(lambda m: f" {m.group(1)}% ", text)
    return [normal_word(word) for word in _WORD.findall(text)]


def is_acronym(word):
    """True for a word written in capitals (two letters or more): 'ICE', 'DHS', 'US'."""
    letters = [c for c in word if c.isalpha()]
    return len(letters) >= 2 and all(c.isupper() for c in letters)


@lru_cache(maxsize=65536)  # the stemmer is the slow part, and reporting repeats its words
def term_of(word):
    """Return the comparable term for one word ('' for a stopword), or the acronym itself."""
    if is_acronym(word):
        return word
    lower = word.lower()
    if lower in _CANONICAL:
        return _CANONICAL[lower]
    if lower in STOPWORDS or len(lower) < 2 and not lower.isdigit():
        return ""
    if lower[0] == "$" or lower[-1] == "%" or lower.isdigit():
        return lower
    if "-" in lower:
        # "back-seat" -> "back seat" is handled by the caller; here, compound as a whole.
        return ""
    stem = _stemmer.stemWord(lower)
    return _CANONICAL.get(stem, stem)


def terms(text, shouting=None):
    """Return the terms of a text, in order: stopwords dropped, words stemmed, synonyms merged.

    Hyphenated compounds give their parts and, when the whole is in the thesaurus, the whole.
    """
    text = plain_text(text)
    if shouting is None:
        shouting = is_shouting(text)
    return terms_of_words(raw_words(text), shouting)


def terms_of_word(word):
    """Return the terms of one word as a tuple (empty for a stopword): a hyphenated compound
    gives the whole when the thesaurus has it, else its parts."""
    if "-" in word and not word.startswith("$"):
        whole = word.lower()
        if whole in _CANONICAL:
            return (_CANONICAL[whole],)
        return tuple(term for term in (term_of(part) for part in word.split("-") if part) if term)
    term = term_of(word)
    return (term,) if term else ()


def terms_of_words(words, shouting=False):
    """Return the terms of words already split by raw_words (see terms)."""
    if shouting:
        words = [word.lower() for word in words]
    return [term for word in words for term in terms_of_word(word)]


def copy_words(text, words=None):
    """Return the lower-cased words of a text for copy detection (no stemming, nothing dropped).

    words: the text already split by raw_words, if the caller has it (used when the text is
    plain, holding no tag or entity that plain_text would change).
    """
    if words is None or "<" in text or "&" in text:
        words = raw_words(plain_text(text))
    return [word.lower() for word in words]


# Matched against a headline whose whitespace is single spaces, so the pattern tried at each
# position spans at most 65 characters: linear time however the headline is padded.
_TITLE_SUFFIX = re.compile(r" (?:[|\u2013\u2014]|-{1,2}|::) [^|\u2013\u2014]{2,60}$")


def strip_site_name(title):
    """Remove a trailing ' | Site Name' or ' - Site Name' that syndication adds to headlines
    (and collapse runs of whitespace)."""
    title = " ".join((title or "").split())
    stripped = _TITLE_SUFFIX.sub("", title)
    # Keep the title when too little would remain (a headline with a dash, not a site name).
    return stripped if len(stripped.split()) >= 3 else title


# Where one sentence ends and the next begins: the punctuation, then the spaces (split after
# the punctuation). Starting with a character class lets the regex engine skip ahead in C.
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z0-9\"'\u201c])")


def split_sentences(line):
    """Split a line into sentences at whitespace after . ! or ? that precedes a capital, a digit
    or a quote (the whitespace is dropped)."""
    parts, start = [], 0
    for match in _SENTENCE_END.finditer(line):
        parts.append(line[start:match.start() + 1])
        start = match.end()
    parts.append(line[start:])
    return parts


_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december")
_MONTH_NUMBER = {name: number for number, name in enumerate(_MONTHS, start=1)}
_MONTH_NUMBER.update({name[:3]: number for name, number in list(_MONTH_NUMBER.items())})
_MONTH_NUMBER["sept"] = 9
# "April 2025", "Apr. 15, 2025", "15 APRIL 2025" and ISO "2025-04-15"; a month's name counts
# capitalised only ("it may 2025" is not May). Bounded repetitions only: linear time on any text.
_MONTH_NAMES = sorted({form for name in _MONTH_NUMBER for form in (name.capitalize(), name.upper())}, key=len,
                      reverse=True)
_NAMED_MONTH = re.compile(
    r"\b(" + "|".join(_MONTH_NAMES) + r")\.?\s(?:\d{1,2}(?:st|nd|rd|th)?,?\s)?((?:19|20)\d\d)\b")
_ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])-[0-3]\d\b")


def months_named(text):
    """Return the months a text names with their year, as {(year, month)}: "in April 2025",
    "on May 9, 2025", "9 May 2025", "2025-05-09". A month without a year is not counted: it
    says nothing certain about which year's event a report means."""
    text = " ".join(text.split())
    found = set()
    for month, year in _NAMED_MONTH.findall(text):
        found.add((int(year), _MONTH_NUMBER[month.lower()]))
    for year, month in _ISO_DATE.findall(text):
        found.add((int(year), int(month)))
    return found


# News of a change to something that already happened: a reversal or a stop, a renewal or a next
# stage, a lawsuit. General follow-up vocabulary, not any one story's words; words that as often
# announce a plan itself ("extends", "expands", "cancels") or say nothing of a change ("in
# advance", "court filings show") are left out.
# Plain alternatives between word boundaries: linear time on any text.
_CHANGE = re.compile(
    r"\b(?:back(?:s|ed|ing)? (?:off|away|down)|walk(?:s|ed|ing)? back|revers(?:e|es|ed|ing|al)"
    r"|rescind(?:s|ed|ing)?|abandon(?:s|ed|ing)?|scrap(?:s|ped|ping)?|halt(?:s|ed|ing)?|paus(?:e|es|ed|ing)"
    r"|suspend(?:s|ed|ing)?|withdr(?:aw|aws|ew|awn|awing)|drop(?:s|ped|ping)?"
    r"|renew(?:s|ed|ing|al)?|advanc(?:es|ed|ing)|mov(?:e|es|ed|ing) (?:forward|ahead)"
    r"|next (?:phase|generation|stage|step)|resum(?:e|es|ed|ing)"
    r"|su(?:e|es|ed|ing)|lawsuit|judge)\b",
    re.IGNORECASE)
OPENING_WORDS = 40


def reports_change(title, body):
    """Whether a report's headline or opening sentence (its first OPENING_WORDS words at most)
    reports a change to something that already happened: "backs off", "renews", "moves
    forward", "sued". Long after an event, such a report is news of a newer happening in
    the same story, not more coverage of the event."""
    opening = split_sentences(" ".join(body.split()[:OPENING_WORDS]))[0]
    return bool(_CHANGE.search(" ".join(title.split())) or _CHANGE.search(opening))
