"""Find reports that copy an earlier stored report, through their stored fingerprints
(sources.matching.copies computes them and compares texts; this module is the database side).
"""
from collections import Counter, defaultdict
from itertools import chain

from sources.matching.copies import CopyText, copy_evidence
from sources.matching.scoring import ReportDoc, article_body
from sources.models import Report, ReportFingerprint

COPY_CANDIDATES = 4           # earlier reports compared in full per new report
FINGERPRINT_CHUNK = 500


def report_document(report):
    """Return the ReportDoc the matcher reads of a stored report."""
    published = report.published.date() if report.published else None
    return ReportDoc(report.pk, report.title, report.summary, report.content, published, report.url)


def find_copies(reports, bodies):
    """Return {report id: (earlier Report, evidence)} for reports that copy an earlier report.

    bodies: {report id: its whole article text (scoring.article_body)}.
    Earlier means stored before (a lower id). Looks candidates up by shared fingerprints, in
    one query per FINGERPRINT_CHUNK fingerprints, then compares the best few in full; stores
    the new reports' fingerprints. A copy of a copy points at the original.

    The same canonical URL arriving from another feed (or twice in a batch) is the same
    report, whatever text each feed sent with it: one query finds the earlier holders.
    """
    texts = {r.pk: CopyText.of(r.title, bodies[r.pk]) for r in reports}
    prints = {pk: text.fingerprints() for pk, text in texts.items()}
    batch_ids = set(texts)
    holders = defaultdict(set)
    values = sorted(set().union(*prints.values()))
    for value, report_id in stored_fingerprints(values):
        if report_id not in batch_ids:
            holders[value].add(report_id)
    store_fingerprints(prints)

    # Only fingerprints some other report holds can lead to a copy: those stored before and
    # those that two reports of this batch share. Walking just those (picked out in C) leaves
    # the same holders, filled in the same order, as walking every fingerprint of every report.
    in_batch = Counter(chain.from_iterable(prints.values()))
    shared_in_batch = {value for value, n in in_batch.items() if n > 1}
    held = shared_in_batch.union(holders)
    wanted = {}
    by_id = {r.pk: r for r in reports}
    for report in reports:
        shared = Counter()
        for value in filter(held.__contains__, prints[report.pk]):
            for other in holders.get(value, ()):
                if other < report.pk:
                    shared[other] += 1
        # A copy holds most of the earlier text, so it shares a good part of its fingerprints.
        needed = max(1, min(len(prints[report.pk]) // 4, 6))
        wanted[report.pk] = [other for other, n in shared.most_common(COPY_CANDIDATES) if n >= needed]
        for value in filter(shared_in_batch.__contains__, prints[report.pk]):  # later reports may copy this one
            holders[value].add(report.pk)
    outside = {other for others in wanted.values() for other in others if other not in by_id}
    earlier = {r.pk: r for r in Report.objects.filter(pk__in=outside).only(
        "id", "url", "guid", "title", "summary", "content", "duplicate_of_id", "published")}
    earlier.update(by_id)
    copies = {}
    same_url = earliest_with_same_url(reports)
    for report in reports:
        earlier_same = same_url.get(report.pk)
        if earlier_same is not None:
            original = earlier_same
            if original.duplicate_of_id:
                original = Report.objects.only("id", "url", "guid").get(pk=original.duplicate_of_id)
            copies[report.pk] = (original, {"same_url": True, "compared_with": earlier_same.pk})
            report.duplicate_of_id = original.pk
            continue
        for other_id in sorted(wanted[report.pk]):  # oldest first: copies point at the original
            other = earlier.get(other_id)
            if other is None:
                continue
            text = texts.get(other_id) or stored_copy_text(other)
            is_copy, evidence = copy_evidence(texts[report.pk], text)
            if is_copy:
                original = other
                if other.duplicate_of_id:  # a copy of a copy: point at the original
                    original = earlier.get(other.duplicate_of_id) or Report.objects.only(
                        "id", "url", "guid").get(pk=other.duplicate_of_id)
                copies[report.pk] = (original, dict(evidence, compared_with=other.pk))
                if report.pk in by_id:
                    by_id[report.pk].duplicate_of_id = original.pk
                break
    return copies


def earliest_with_same_url(reports):
    """Return {report id: the earliest other Report with its canonical URL, stored before it}.
    Hits the database once (none when no report has a URL)."""
    urls = {r.url for r in reports if r.url}
    if not urls:
        return {}
    first = {}
    for other in Report.objects.filter(url__in=urls).order_by("pk").only("id", "url", "guid", "duplicate_of_id"):
        first.setdefault(other.url, other)
    return {r.pk: first[r.url] for r in reports if r.url and first.get(r.url) is not None and first[r.url].pk < r.pk}


def stored_copy_text(report):
    """Return a stored report's CopyText, its body made as the matcher makes it (article_body):
    for reports outside the batch being matched, whose features were not worked out."""
    return CopyText.of(report.title, article_body(report_document(report)))


def stored_fingerprints(values):
    """Yield (value, report id) for stored fingerprints among values, one query per chunk."""
    for start in range(0, len(values), FINGERPRINT_CHUNK):
        chunk = values[start:start + FINGERPRINT_CHUNK]
        yield from ReportFingerprint.objects.filter(value__in=chunk).values_list("value", "report_id")


def store_fingerprints(prints):
    """Replace the stored fingerprints of reports ({report id: fingerprints}). Hits the
    database: one delete per FINGERPRINT_CHUNK reports, one insert per FINGERPRINT_CHUNK rows.

    The delete is raw SQL: the ORM's delete() would load every row to send post_delete
    signals (timeline.apps listens to all models), tens of thousands of objects on a re-match.
    """
    from django.db import connection

    ids = list(prints)
    table = connection.ops.quote_name(ReportFingerprint._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(ids), FINGERPRINT_CHUNK):
            chunk = ids[start:start + FINGERPRINT_CHUNK]
            cursor.execute(f"DELETE FROM {table} WHERE report_id IN ({', '.join(['%s'] * len(chunk))})", chunk)
    ReportFingerprint.objects.bulk_create(
        [ReportFingerprint(report_id=pk, value=value) for pk, values in prints.items() for value in values],
        batch_size=FINGERPRINT_CHUNK)


def rebuild_fingerprints(chunk=FINGERPRINT_CHUNK):
    """Recompute and store the fingerprints of every report, oldest first; return how many
    reports were fingerprinted. Hits the database: one read and one replace per chunk.

    For a change of how fingerprints are made (a migration calls it): copy detection looks
    earlier reports up by their stored fingerprints, so stale ones would hide every stored
    report from the copies that follow it.
    """
    done, last = 0, 0
    while True:
        reports = list(Report.objects.filter(pk__gt=last).order_by("pk").only(
            "id", "title", "summary", "content", "published", "url")[:chunk])
        if not reports:
            return done
        store_fingerprints({r.pk: stored_copy_text(r).fingerprints() for r in reports})
        done, last = done + len(reports), reports[-1].pk


