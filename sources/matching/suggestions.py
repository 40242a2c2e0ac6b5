"""Group reports that match no event but concern a tracked program or agency.

Each group becomes a suggested event for curators: "these three reports describe something
about ICE that the timeline does not have yet".
"""
import math
from collections import Counter
from dataclasses import dataclass, field

GROUP_SIMILARITY = 0.3     # cosine between a report and a group's centroid to join it
GROUP_WINDOW_DAYS = 21     # reports further apart than this start separate groups
CENTROID_TERMS = 60


def is_relevant(entities):
    """True when a report names a tracked program or agency (its entity keys)."""
    return any(key.startswith(("program:", "agency:")) for key in entities)


def centroid_cosine(vector, centroid):
    if not vector or not centroid:
        return 0.0
    dot = sum(w * centroid.get(t, 0.0) for t, w in vector.items())
    if not dot:
        return 0.0
    return dot / (math.sqrt(sum(w * w for w in vector.values())) * math.sqrt(sum(w * w for w in centroid.values())))


@dataclass
class Group:
    """A suggested event in the making: its reports, their shared terms and entities."""

    id: object
    centroid: dict = field(default_factory=dict)
    entities: set = field(default_factory=set)
    first_date: object = None
    last_date: object = None
    size: int = 0

    def admit(self, vector, entities, date):
        merged = Counter(self.centroid)
        for term, weight in vector.items():
            merged[term] += weight
        self.centroid = dict(merged.most_common(CENTROID_TERMS))
        self.entities |= set(entities)
        if date:
            self.first_date = min(filter(None, [self.first_date, date]))
            self.last_date = max(filter(None, [self.last_date, date]))
        self.size += 1


def best_group(vector, entities, date, groups, idf=lambda term: 1.0):
    """Return (group, similarity) for the open group a report belongs in, or (None, 0)."""
    weighted = {t: w * idf(t) for t, w in vector.items()}
    best, best_similarity = None, 0.0
    for group in groups:
        if not (set(entities) & group.entities):
            continue
        if date and group.last_date and abs((date - group.last_date).days) > GROUP_WINDOW_DAYS:
            continue
        similarity = centroid_cosine(weighted, {t: w * idf(t) for t, w in group.centroid.items()})
        if similarity >= GROUP_SIMILARITY and similarity > best_similarity:
            best, best_similarity = group, similarity
    return best, best_similarity


def group_reports(reports, idf=lambda term: 1.0):
    """Group [(id, vector, entities, date)] into Groups (greedy, in the order given)."""
    groups = []
    membership = {}
    for report_id, vector, entities, date in reports:
        group, _ = best_group(vector, entities, date, groups, idf)
        if group is None:
            group = Group(id=len(groups) + 1)
            groups.append(group)
        group.admit(vector, entities, date)
        membership[report_id] = group.id
    return groups, membership
