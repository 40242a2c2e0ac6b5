"""The one door from records/ to the matcher's entity signals (sources.matching).

Everything records/ needs from the matcher goes through `entities_named`, so that a change to
how sources.matching builds or exposes its gazetteer is a change here alone.
"""
from sources.linking import timeline_entities
from sources.matching import Gazetteer

# How much naming each kind of entity says about a program a document concerns.
SIGNAL_WEIGHT = {"program": 1.0, "organization": 0.4, "agency": 0.3, "person": 0.3}


def build_recogniser():
    """Return a function text -> {(kind, pk): mentions} over the live timeline. 4 queries."""
    gazetteer = Gazetteer.build(timeline_entities())

    def entities_named(text):
        found = {}
        for key, mentions in gazetteer.find(text).items():
            kind, _, pk = key.partition(":")
            found[(kind, int(pk))] = mentions
        return found

    return entities_named


def program_scores(named, programs):
    """Score each program (0..1) by the entities a document names: the program itself, then
    the agencies running it and its vendors. `programs` are Program objects with their
    agencies and vendors prefetched. Pure."""
    scores = {}
    for program in programs:
        score = SIGNAL_WEIGHT["program"] if ("program", program.pk) in named else 0.0
        if any(("agency", a.pk) in named for a in program.agencies.all()):
            score += SIGNAL_WEIGHT["agency"]
        if any(("organization", o.pk) in named for o in program.vendors.all()):
            score += SIGNAL_WEIGHT["organization"]
        if score:
            scores[program.slug] = round(min(score, 1.0), 3)
    return scores
