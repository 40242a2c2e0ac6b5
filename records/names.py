"""Find the timeline's agencies and vendors under the names primary records give them, and
make unique slugs for the records a sync creates. Hits the database where it says so."""
import re

from django.utils.text import slugify

from timeline.models import Agency, Organization

_LEADING = ("the ", "u s ", "us ", "united states ")
_CORPORATE = {"inc", "incorporated", "corp", "corporation", "llc", "ltd", "limited", "co", "company", "plc",
              "lp", "llp", "the"}


def normalized(name, *, corporate=False):
    """Lower-case words without punctuation; 'U.S.' and 'The' in front dropped; with
    `corporate`, trailing company suffixes dropped ('PALANTIR TECHNOLOGIES INC.' ->
    'palantir technologies')."""
    text = re.sub(r"[^\w\s]", " ", (name or "").lower().replace("u.s.", "us").replace("&", " and "))
    text = " ".join(text.split())
    changed = True
    while changed:
        changed = False
        for lead in _LEADING:
            if text.startswith(lead) and len(text) > len(lead):
                text, changed = text[len(lead):], True
    if corporate:
        words = text.split()
        while len(words) > 1 and words[-1] in _CORPORATE:
            words.pop()
        text = " ".join(words)
    return text


def find_agency(name):
    """The live agency named `name` (by name, alias or abbreviation), or None. One query."""
    wanted = normalized(name)
    if not wanted:
        return None
    for agency in Agency.objects.alive().only("id", "name", "abbreviation", "aliases", "slug", "state"):
        names = [agency.name, *agency.alias_list] + ([agency.abbreviation] if agency.abbreviation else [])
        if wanted in {normalized(n) for n in names}:
            return agency
    return None


def find_vendor(name):
    """The live organization named `name` (company suffixes ignored), or None. One query."""
    wanted = normalized(name, corporate=True)
    if not wanted:
        return None
    for org in Organization.objects.alive().only("id", "name", "aliases", "slug", "state"):
        if wanted in {normalized(n, corporate=True) for n in [org.name, *org.alias_list]}:
            return org
    return None


def unique_slug(model, text, max_length=80):
    """A slug for `text` not yet used by `model` (a counter is appended when needed). Queries."""
    base = slugify(text)[: max_length - 6].strip("-") or "record"
    slug, n = base, 1
    while model.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug
