"""Recognise the timeline's agencies, programs, organizations and people in text.

Acronyms match case-sensitively ("ICE" the agency, never "ice" or "Ice storm"); names match
as whole word sequences, ignoring case, except one-word names, which must be capitalised as
written ("Palantir", not "palantir" in a URL slug or a lower-case pun).
"""
from dataclasses import dataclass, field

from sources.matching.text import is_acronym, is_shouting, plain_text, raw_words

# Kinds of entity and how much naming one says about which event a report concerns: a program
# or a person narrows it down far more than an agency that appears in hundreds of events.
KIND_WEIGHT = {"program": 1.0, "person": 0.9, "organization": 0.7, "agency": 0.5}

_LEADING = [("united", "states"), ("u", "s"), ("us",), ("the",)]
_CORPORATE_SUFFIXES = {"technologies", "technology", "inc", "incorporated", "corp", "corporation", "llc",
                       "ltd", "limited", "co", "company", "plc", "holdings", "group", "systems", "lp", "llp"}


@dataclass(frozen=True)
class Entity:
    """One thing the timeline tracks: key is 'kind:id' ('agency:3')."""

    key: str
    kind: str
    label: str
    names: tuple = ()
    acronyms: tuple = ()
    parents: tuple = ()  # keys of broader entities implied by this one (an agency's parent)


def entity_key(kind, pk):
    return f"{kind}:{pk}"


def name_variants(kind, name):
    """Return the word sequences (lower case) under which a name is written in reporting."""
    words = tuple(w.lower() for w in raw_words(name))
    if not words:
        return set()
    variants = {words}
    for lead in _LEADING:
        if words[: len(lead)] == lead and len(words) > len(lead) + 1:
            variants.add(words[len(lead):])
    if kind == "organization":
        trimmed = list(words)
        while len(trimmed) > 1 and trimmed[-1] in _CORPORATE_SUFFIXES:
            trimmed.pop()
        if trimmed != list(words) and (len(trimmed) > 1 or len(trimmed[0]) >= 4):
            variants.add(tuple(trimmed))
    return variants


@dataclass
class Gazetteer:
    """Find entities in text. Build once from the timeline (`Gazetteer.build(entities)`)."""

    entities: dict = field(default_factory=dict)
    acronyms: dict = field(default_factory=dict)  # "ICE" -> {keys}
    phrases: dict = field(default_factory=dict)   # first word -> [(words, key, needs_capital)], longest first

    @classmethod
    def build(cls, entities):
        gazetteer = cls()
        for entity in entities:
            gazetteer.add(entity)
        return gazetteer

    def add(self, entity):
        self.entities[entity.key] = entity
        for acronym in entity.acronyms:
            acronym = acronym.strip()
            if acronym:
                self.acronyms.setdefault(acronym, set()).add(entity.key)
        for name in entity.names:
            name = name.strip()
            if not name:
                continue
            if is_acronym(name) and " " not in name:
                self.acronyms.setdefault(name.replace(".", ""), set()).add(entity.key)
                continue
            for words in name_variants(entity.kind, name):
                # One-word names must appear capitalised, as proper nouns do.
                needs_capital = len(words) == 1
                self.phrases.setdefault(words[0], []).append((words, entity.key, needs_capital))
        for options in self.phrases.values():
            options.sort(key=lambda option: -len(option[0]))  # longest name first

    def find(self, text):
        """Return {entity key: number of mentions} for the entities named in text."""
        text = plain_text(text)
        return self.find_in_words(raw_words(text), is_shouting(text))

    def find_in_words(self, words, shouting=False):
        """Return {entity key: number of mentions} for words already split by raw_words.

        At each word, an acronym as written, then the longest name starting there; a name
        matched is skipped over.
        """
        lowered = [word.lower() for word in words]
        found = {}
        i = 0
        while i < len(words):
            word, matched = words[i], 0
            if not shouting and word in self.acronyms:
                for key in self.acronyms[word]:
                    found[key] = found.get(key, 0) + 1
                matched = 1
            for phrase, key, needs_capital in self.phrases.get(lowered[i], ()):
                if tuple(lowered[i:i + len(phrase)]) != phrase:
                    continue
                if needs_capital and not shouting and not word[:1].isupper():
                    continue
                found[key] = found.get(key, 0) + 1
                matched = max(matched, len(phrase))
                break
            i += max(matched, 1)
        return found

    def implied(self, keys):
        """Return the broader entities implied by keys (parents of agencies), not in keys."""
        out = set()
        for key in keys:
            entity = self.entities.get(key)
            stack = list(entity.parents) if entity else []
            while stack:
                parent = stack.pop()
                if parent not in keys and parent not in out:
                    out.add(parent)
                    grand = self.entities.get(parent)
                    stack.extend(grand.parents if grand else ())
        return out
