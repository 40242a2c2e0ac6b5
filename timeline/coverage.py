"""Coverage: who reported something, with copies folded under the report they copy, and the
claims on which sources disagree, grouped so the page can set them side by side.

Pure functions over records already loaded; the views do the (constant number of) queries.
Every cited source and every attached feed report becomes a CoverageItem, so the page lays out
both the same way.
"""
import html
import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from django.apps import apps
from django.db.models import Exists, OuterRef

from timeline.models import Source


@dataclass
class CoverageItem:
    key: str
    outlet: str
    headline: str
    date: object
    url: str | None
    archived_url: str | None = None
    detail_url: str | None = None
    kind_label: str = ""
    is_copy: bool = False
    copy_of: str | None = None   # the key of the item this one copies, when known
    summary: str = ""            # feed text: shown only through the sanitiser
    note: str = ""               # a curator's note, when the headline is not known
    supports: str = ""           # what the source establishes for the record citing it
    original_outlet: str = ""    # for a copy: the outlet whose report it copies, when known
    plain_outlet: str = ""       # the outlet's own name (outlet may read "WIRED, republished by ...")
    unreviewed: bool = False     # a feed report the matcher attached that no curator has reviewed
    copies: list = field(default_factory=list)


def item_from_source(source, supports=""):
    return CoverageItem(
        key=f"source:{source.pk}", outlet=source.byline, headline=source.headline, supports=supports,
        original_outlet=source.original_outlet if source.kind == Source.Kind.COPY else "", plain_outlet=source.outlet,
        note="" if source.headline else source.notes,
        date=source.published, url=source.url, archived_url=source.archived_url,
        detail_url=source.get_absolute_url(), kind_label=source.get_kind_display(),
        is_copy=source.kind == Source.Kind.COPY,
    )


def report_link_model():
    """The sources app's report-to-event link model, or None before matching is installed."""
    try:
        return apps.get_model("sources", "ReportEventLink")
    except LookupError:
        return None


def reports_on_events(event_ids):
    """Reports standing on some events (attached or approved), with their feeds and the reports
    they copy; [] when matching is not installed. `reviewed` says a curator approved the report
    for one of the events; otherwise the matcher attached it on its own. One query; `event_ids`
    may be a subquery."""
    link_model = report_link_model()
    if link_model is None:
        return []
    report_model = link_model._meta.get_field("report").related_model
    links = link_model.objects.standing().filter(event_id__in=event_ids)
    approved = link_model.objects.filter(event_id__in=event_ids, report_id=OuterRef("pk"), status="approved")
    return list(
        report_model.objects.filter(pk__in=links.values("report_id"))
        .annotate(reviewed=Exists(approved))
        .select_related("feed", "duplicate_of", "duplicate_of__feed")
        .defer("content", "duplicate_of__content")
        .order_by("published", "id")
    )


def _plain(text):
    from sources.sanitize import html_to_text

    return html.unescape(html_to_text(text or "")).strip()


def item_from_report(report):
    """A feed report as a coverage item: text from the feed is reduced to plain text, links to
    http(s) only, and the summary is kept raw for the template's sanitiser."""
    from sources.sanitize import safe_link

    url = safe_link(report.url)
    outlet = (report.feed.title if report.feed_id else "") or (urlsplit(url).hostname or "" if url else "")
    return CoverageItem(
        key=f"report:{report.pk}", outlet=_plain(outlet), headline=_plain(report.title), date=report.published,
        url=url or None, kind_label="Report from a feed", is_copy=report.duplicate_of_id is not None,
        unreviewed=not getattr(report, "reviewed", False),
        copy_of=f"report:{report.duplicate_of_id}" if report.duplicate_of_id else None, summary=report.summary,
    )


def coverage_items(sources, reports, supports=None):
    """Cited sources, then feed reports, each document once.

    supports maps a source's id to what it establishes for the record (its citation's note).

    A report at the address of a cited source (or of an earlier report) is that document, not
    another one; the original of a copied report is brought in when it is not linked itself.
    """
    supports = supports or {}
    items = [item_from_source(s, supports.get(s.pk, "")) for s in sources]
    key_for_url = {s.url: f"source:{s.pk}" for s in sources if s.url}
    alias, ordered_reports, seen = {}, [], set()
    for report in reports:
        for r in ([report.duplicate_of] if report.duplicate_of_id else []) + [report]:
            if r is not None and r.pk not in seen:
                seen.add(r.pk)
                ordered_reports.append(r)
    for report in ordered_reports:
        key = f"report:{report.pk}"
        if report.url and report.url in key_for_url:
            alias[key] = key_for_url[report.url]
            continue
        item = item_from_report(report)
        if report.url:
            key_for_url[report.url] = key
        items.append(item)
    for item in items:
        item.copy_of = alias.get(item.copy_of, item.copy_of)
    return items


def _headline_key(text):
    return re.sub(r"\W+", " ", (text or "").lower()).strip()


def fold_copies(items):
    """Return the independent items, each carrying the copies of it.

    A copy goes under the item it names (copy_of), else under the non-copy item with the same
    headline, else under the item from the outlet it copies; copies of one report whose
    original is not listed count once: the first stands for the report, the others fold under
    it. The result keeps the input order of the originals.
    """
    by_key = {item.key: item for item in items}
    by_headline, by_outlet, stand_ins = {}, {}, {}
    for item in items:
        if not item.is_copy and _headline_key(item.headline):
            by_headline.setdefault(_headline_key(item.headline), item)
        if not item.is_copy and item.plain_outlet:
            by_outlet.setdefault(item.plain_outlet, item)
    independent = []
    for item in items:
        original = None
        if item.copy_of:
            original = by_key.get(item.copy_of)
        elif item.is_copy:
            original = by_headline.get(_headline_key(item.headline)) or by_outlet.get(item.original_outlet)
            if original is None and (item.original_outlet or _headline_key(item.headline)):
                same_report = (item.original_outlet, _headline_key(item.headline))
                original = stand_ins.setdefault(same_report, item)
        while original is not None and original.copy_of and original.copy_of in by_key and original.copy_of != original.key:
            original = by_key[original.copy_of]  # a copy of a copy goes under the first original
        if original is not None and original is not item:
            original.copies.append(item)
        else:
            independent.append(item)
    return independent


def unique_sources(citations):
    """Return the distinct sources of some citations, in order (no queries if sources were joined)."""
    seen, sources = set(), []
    for citation in citations:
        if citation.source_id not in seen and citation.source.is_public:
            seen.add(citation.source_id)
            sources.append(citation.source)
    return sources


@dataclass
class Conflict:
    """One fact about one record, with every value sources give for it."""

    fact_label: str
    subject_label: str
    subject_url: str | None
    values: list  # [(value as people read it, [claims])], in first-seen order


def conflicts_from_claims(claims, subjects):
    """Group claims annotated with in_conflict into Conflicts.

    Values are shown as timeline.values.label_claim_values labels them, when it has.
    subjects maps (model name, object_id) to the record the claims are about (claims should be
    loaded with select_related("content_type", "source")); claims about records not in it
    (drafts, deleted) are left out.
    """
    groups = {}
    for claim in claims:
        if not getattr(claim, "in_conflict", False):
            continue
        subject = subjects.get((claim.content_type.model, claim.object_id))
        if subject is None:
            continue
        key = (claim.content_type_id, claim.object_id, claim.fact)
        conflict = groups.get(key)
        if conflict is None:
            conflict = groups[key] = Conflict(
                fact_label=claim.fact_label or claim.fact.replace("-", " "),
                subject_label=str(subject),
                subject_url=subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else None,
                values=[],
            )
        label = getattr(claim, "value_label", claim.value)
        for value, value_claims in conflict.values:
            if value == label:
                value_claims.append(claim)
                break
        else:
            conflict.values.append((label, [claim]))
    for conflict in groups.values():
        # The value most sources give first; ties keep first-seen order (sort is stable).
        conflict.values.sort(key=lambda pair: -len(pair[1]))
    return list(groups.values())
