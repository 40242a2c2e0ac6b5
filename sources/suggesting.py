"""Group stored reports that match no event into suggested events (sources.matching.suggestions
decides the groups; this module reads and writes SuggestedEvent)."""
import datetime

from sources.matching.suggestions import Group, best_group, is_relevant
from sources.models import SuggestedEvent, SuggestionStatus

SUGGESTION_WINDOW = datetime.timedelta(days=60)


def group_unmatched_reports(unmatched, statistics):
    """Put reports that match no event but name a tracked program or agency into suggested
    events, joining an open suggestion of similar recent reports or opening a new one."""
    relevant = [(report, features) for report, features in unmatched
                if report.duplicate_of is None and is_relevant(features.entities)]
    relevant_ids = {report.pk for report, _ in relevant}
    for report, _ in unmatched:
        if report.pk not in relevant_ids:
            report.suggested_event = None
    if not relevant:
        return
    since = min(r.published for r, _ in relevant) - SUGGESTION_WINDOW
    open_suggestions = list(SuggestedEvent.objects.filter(status=SuggestionStatus.OPEN, last_published__gte=since))
    groups = {}
    for suggestion in open_suggestions:
        groups[suggestion.pk] = (suggestion, Group(
            suggestion.pk, dict(suggestion.centroid), set(suggestion.entities),
            suggestion.first_published.date() if suggestion.first_published else None,
            suggestion.last_published.date() if suggestion.last_published else None, suggestion.report_count))
    touched, created = set(), []
    for report, features in relevant:
        group, _ = best_group(features.vector, features.entities, features.date,
                              [g for _, g in groups.values()], idf=statistics.idf)
        if group is None:
            suggestion = SuggestedEvent(title=report.title[:500] or "(untitled report)",
                                        first_published=report.published, last_published=report.published)
            group = Group(("new", len(created)))
            groups[group.id] = (suggestion, group)
            created.append(suggestion)
        suggestion = groups[group.id][0]
        group.admit(features.vector, features.entities, features.date)
        suggestion.centroid = group.centroid
        suggestion.entities = sorted(group.entities)
        suggestion.report_count = group.size
        suggestion.first_published = min(filter(None, [suggestion.first_published, report.published]))
        suggestion.last_published = max(filter(None, [suggestion.last_published, report.published]))
        strength = sum(0.5 if key.startswith("program:") else 0.25 for key in features.entities)
        suggestion.score = round(min(1.0, max(suggestion.score, strength) + 0.1 * (group.size - 1)), 3)
        report.suggested_event = suggestion
        if suggestion.pk:
            touched.add(suggestion.pk)
    # New suggestions in one insert (ids come back on PostgreSQL and SQLite), then their reports.
    SuggestedEvent.objects.bulk_create(created, batch_size=500)
    for report, _ in relevant:
        report.suggested_event_id = report.suggested_event.pk
    SuggestedEvent.objects.bulk_update(
        [groups[pk][0] for pk in touched],
        ["centroid", "entities", "report_count", "first_published", "last_published", "score"])
