"""Sync USAspending awards into the timeline: the work behind `sync_awards` and its task.

    result = sync_awards(AwardQuery.of_watch(watch), watch=watch)

Each search page names awards with their last-modified date; an award whose date has not moved
since the last run is not fetched again. Each fetched award is stored in its own transaction
(its AwardRecord, Contract, Source, Claims and draft Event together), so a run killed half-way
keeps what it finished and the next run, finding those awards unchanged, carries on. The
watch's cursor (awards modified since) moves only when a run completes.
"""
import datetime
import logging
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from records.client import SourceError, get_json
from records.models import AwardRecord, MatchStatus
from records.names import find_agency, find_vendor, normalized, unique_slug
from records.runs import SyncResult
from records.usaspending import (FIGURES, AwardQuery, BadAward, award_url, parse_award, search_payload, search_rows,
                                 search_url)
from sources.signals import queue_rescoring
from timeline.dates import Precision, period_end
from timeline.models import Agency, Citation, Claim, Contract, Event, EventKind, Organization, Source, State
from timeline.page_cache import bump_content_version

logger = logging.getLogger(__name__)
# A stored cursor is moved back this far, so an award modified while a run was under way is
# asked for again (unchanged ones cost a search row, not a request).
CURSOR_OVERLAP = datetime.timedelta(days=1)


@dataclass
class AwardSyncResult(SyncResult):
    unchanged: int = 0
    modified: int = 0
    proposed: int = 0

    def counts(self):
        return (f"{self.seen} awards seen on {self.pages} pages: {self.created} new, {self.modified} modified, "
                f"{self.unchanged} unchanged, {self.proposed} proposed as contracts on record, "
                f"{len(self.problems)} skipped; {self.requests.total} requests")


def sync_awards(query, *, watch=None, progress=None, page_size=None):
    """Run one search to its last page and store every new or changed award.

    Never raises for what the API does: a failed request or an unusable page stops the run and
    is returned (and recorded on `watch`); a bad award is skipped and named in `problems`.
    `progress(n)` is called as rows are handled. Hits the network and the database.
    """
    from django.conf import settings

    result = AwardSyncResult()
    started = timezone.now()
    limit = page_size or settings.RECORDS_PAGE_SIZE
    page, has_next = 1, True
    try:
        while has_next:
            data = get_json(search_url(), payload=search_payload(query, page, limit))
            result.requests.searches += 1
            rows, has_next, problems = search_rows(data)
            result.pages += 1
            result.problems += problems
            stored = dict(AwardRecord.objects.filter(generated_award_id__in=[r.generated_award_id for r in rows])
                          .values_list("generated_award_id", "last_modified"))
            for row in rows:
                result.seen += 1
                if stored.get(row.generated_award_id) == row.last_modified:
                    result.unchanged += 1
                else:
                    _fetch_and_store(row, watch, result)
                if progress:
                    progress(1)
            page += 1
    except (SourceError, BadAward) as exc:
        logger.info("award sync failed: %s", exc)
        return result.fail(exc, watch)
    if result.created or result.modified:
        queue_rescoring()  # once per run: the draft events were created without post_save
    if watch is not None:
        watch.modified_since = (started - CURSOR_OVERLAP).date()
    return result.succeed(watch)


def _fetch_and_store(row, watch, result):
    data = get_json(award_url(row.generated_award_id))
    result.requests.details += 1
    try:
        award = parse_award(data)
    except BadAward as exc:
        result.problems.append(str(exc))
        return
    if award.generated_award_id != row.generated_award_id:
        result.problems.append(f"{row.generated_award_id}: the award endpoint answered for {award.generated_award_id}")
        return
    try:
        outcome = store_award(award, watch=watch, listed_modified=row.last_modified)
    except IntegrityError:
        # Another run stored this award between our check and our insert: store over it.
        outcome = store_award(award, watch=watch, listed_modified=row.last_modified)
    if outcome == "created":
        result.created += 1
    elif outcome == "proposed":
        result.created += 1
        result.proposed += 1
    elif outcome == "modified":
        result.modified += 1
    else:
        result.unchanged += 1


@transaction.atomic
def store_award(award, *, watch=None, listed_modified=None):
    """Store one award: its record, contract, source, figures and draft event, in one transaction.

    `listed_modified` is the last-modified date as the search listed it, which the next run
    compares its rows with (the award itself may write it differently).
    Return "created", "proposed" (matched to a contract on record, for curators to confirm),
    "modified" or "unchanged". Hits the database.
    """
    now = timezone.now()
    record = AwardRecord.objects.select_for_update().filter(generated_award_id=award.generated_award_id).first()
    if record is not None and record.details.get("last_modified_text") == award.last_modified_text:
        if listed_modified and record.last_modified != listed_modified:
            record.last_modified = listed_modified
            record.save(update_fields=["last_modified"])
        return "unchanged"
    source = award_source(award)
    new = record is None
    if new:
        contract, status, reasons = contract_for(award, program=watch.program if watch else None)
        record = AwardRecord(generated_award_id=award.generated_award_id, contract=contract, match_status=status,
                             match_reasons=reasons, watch=watch, first_synced_at=now)
    contract = record.contract
    draft = record.match_status == MatchStatus.PROPOSED
    if not draft:
        apply_award_fields(contract, award)
    changed = {fact for fact, amount in award.figures.items() if record.figures.get(fact) != amount_text(amount)}
    record_figures(contract, award, source, draft=draft)
    if new or changed:
        draft_event(award, contract, source, record=record, new=new, program=watch.program if watch else None)
    record.piid = award.piid
    record.last_modified = listed_modified or award.last_modified_text
    record.figures = {**record.figures, **{fact: amount_text(a) for fact, a in award.figures.items()}}
    record.details = award_details(award)
    record.synced_at = now
    record.save()
    if new:
        return "proposed" if draft else "created"
    return "modified" if changed else "unchanged"


def amount_text(amount):
    """A figure as claims hold it: whole dollars without cents ('29900000'), else '1234.56'."""
    return str(amount.quantize(1)) if amount == amount.to_integral_value() else str(amount)


def award_details(award):
    return {"piid": award.piid, "description": award.description, "agency": award.agency,
            "subagency": award.subagency, "recipient": award.recipient,
            "date_signed": award.date_signed.isoformat() if award.date_signed else "",
            "start": award.start.isoformat() if award.start else "", "end": award.end.isoformat() if award.end else "",
            "parent_generated_id": award.parent_generated_id, "parent_piid": award.parent_piid,
            "last_modified": award.last_modified.isoformat(), "last_modified_text": award.last_modified_text}


def award_from_details(gid, details):
    """Rebuild the parts of an Award that contract_for and apply_award_fields read."""
    from records.usaspending import Award

    def day(value):
        return datetime.date.fromisoformat(value) if value else None

    return Award(generated_award_id=gid, piid=details.get("piid", ""), description=details.get("description", ""),
                 last_modified=datetime.datetime.fromisoformat(details["last_modified"]),
                 last_modified_text=details.get("last_modified_text", ""), date_signed=day(details.get("date_signed")),
                 start=day(details.get("start")), end=day(details.get("end")), agency=details.get("agency", ""),
                 subagency=details.get("subagency", ""), recipient=details.get("recipient", ""),
                 parent_generated_id=details.get("parent_generated_id", ""), parent_piid=details.get("parent_piid", ""))


def award_source(award):
    """The award's public USAspending page as a government-document Source (created or updated)."""
    fields = {"headline": f"Award {award.piid or award.generated_award_id} to {award.recipient}"[:500],
              "notes": (f"Federal award record {award.generated_award_id}, last modified "
                        f"{award.last_modified_text} (USAspending)."),
              "published": award.last_modified.date()}
    source, created = Source.objects.get_or_create(url=award.page_url, defaults={
        "kind": Source.Kind.GOVERNMENT, "outlet": "USAspending.gov", "state": State.PUBLISHED, **fields})
    if not created and any(getattr(source, name) != value for name, value in fields.items()):
        for name, value in fields.items():
            setattr(source, name, value)
        source.save()
    return source


def agency_for(award):
    """The awarding agency on record (subtier first), or a draft one proposed to curators."""
    top = find_agency(award.agency) if award.agency else None
    if award.subagency and normalized(award.subagency) != normalized(award.agency):
        sub = find_agency(award.subagency)
        if sub is not None:
            return sub
        parent = top or _draft_agency(award.agency, None)
        return _draft_agency(award.subagency, parent)
    return top or _draft_agency(award.agency or "Unknown awarding agency", None)


def _draft_agency(name, parent):
    agency = Agency(slug=unique_slug(Agency, name), name=name[:200], parent=parent, state=State.DRAFT,
                    description="Proposed by a USAspending sync: the awarding agency as USAspending names it.")
    agency.save()
    return agency


def vendor_for(award):
    """The recipient as an organization on record, or a draft vendor proposed to curators."""
    vendor = find_vendor(award.recipient)
    if vendor is None:
        vendor = Organization(slug=unique_slug(Organization, award.recipient), name=award.recipient[:200],
                              kind=Organization.Kind.VENDOR, state=State.DRAFT,
                              description="Proposed by a USAspending sync: the recipient as USAspending names it.")
        vendor.save()
    return vendor


def contract_for(award, *, program=None):
    """Return (contract, match status, reasons) for a newly seen award.

    A contract already carrying the award id is that award's. A contract on record without
    award ids that plausibly is this award (same agency and vendor, the award signed within
    the contract's dated period, the description naming its program) is proposed to curators.
    Otherwise a contract is created: published when its agency and vendor are on record.
    """
    existing = Contract.objects.filter(generated_award_id=award.generated_award_id).first()
    if existing is not None:
        return existing, MatchStatus.CREATED, []
    agency, vendor = agency_for(award), vendor_for(award)
    candidate, reasons = contract_on_record(award, agency, vendor)
    if candidate is not None:
        return candidate, MatchStatus.PROPOSED, reasons
    return new_contract(award, agency, vendor, program), MatchStatus.CREATED, []


def contract_on_record(award, agency, vendor):
    """The contract without award ids this award plausibly is, with the reasons; (None, [])."""
    signed = award.date_signed or award.start
    if signed is None:
        return None, []
    description = f" {normalized(award.description)} "
    candidates = (Contract.objects.alive().filter(generated_award_id="", agency=agency, vendor=vendor)
                  .select_related("program").order_by("id"))
    for contract in candidates:
        dated = [(contract.announced, contract.announced_precision), (contract.start, contract.start_precision)]
        window = next(((d, period_end(d, p)) for d, p in dated if d), None)
        if window is None or not window[0] <= signed <= window[1]:
            continue
        program = contract.program
        names = [program.name, *program.alias_list] if program else []
        named = next((n for n in names if normalized(n) and f" {normalized(n)} " in description), None)
        if named is None:
            continue
        return contract, [f"same agency ({agency.name}) and vendor ({vendor.name})",
                          f"signed {signed.isoformat()}, within {window[0].isoformat()} to {window[1].isoformat()}",
                          f"the description names the program ({named})"]
    return None, []


def new_contract(award, agency, vendor, program):
    label = award.piid or award.generated_award_id
    contract = Contract(
        slug=unique_slug(Contract, f"{vendor.name} {label}"), title=f"{vendor.name}: award {label}"[:300],
        agency=agency, vendor=vendor, program=program, generated_award_id=award.generated_award_id,
        state=State.PUBLISHED if agency.is_public and vendor.is_public else State.DRAFT,
        notes="Created from the award's USAspending record.",
    )
    apply_award_fields(contract, award, save=False)
    contract.save()
    return contract


def apply_award_fields(contract, award, *, save=True):
    """Copy the award's identifiers, dates and description onto its contract."""
    contract.generated_award_id = award.generated_award_id
    contract.piid = award.piid or contract.piid
    if award.parent_generated_id:
        parent = Contract.objects.filter(generated_award_id=award.parent_generated_id).first()
        contract.parent_award = parent if parent is not None and parent.pk != contract.pk else contract.parent_award
    if award.parent_piid and contract.parent_award is None:
        contract.parent_award_piid = award.parent_piid
    if award.date_signed and contract.announced is None:
        contract.announced, contract.announced_precision = award.date_signed, Precision.DAY
    if award.start:
        contract.start, contract.start_precision = award.start, Precision.DAY
    if award.end:
        contract.end, contract.end_precision = award.end, Precision.DAY
    contract.description = award.description or contract.description
    contract.award_last_modified = award.last_modified
    if save:
        contract.save()


def record_figures(contract, award, source, *, draft):
    """The award's figures as claims on the contract, cited to the award page (kept current)."""
    contract_type = ContentType.objects.get_for_model(Contract)
    state = State.DRAFT if draft else State.PUBLISHED
    for fact, amount in award.figures.items():
        label, _key = FIGURES[fact]
        claim = Claim.objects.filter(content_type=contract_type, object_id=contract.pk, fact=fact, source=source).first()
        value = amount_text(amount)
        if claim is None:
            Claim.objects.create(content_type=contract_type, object_id=contract.pk, fact=fact, fact_label=label,
                                 value=value, value_kind=Claim.ValueKind.USD, source=source, state=state,
                                 note=f"USAspending, last modified {award.last_modified_text}.")
        elif claim.value != value:
            claim.value, claim.note = value, f"USAspending, last modified {award.last_modified_text}."
            claim.save()
    Citation.objects.get_or_create(content_type=contract_type, object_id=contract.pk, source=source,
                                   defaults={"note": "The award's USAspending record."})


def describe_figures(award):
    return "; ".join(f"{FIGURES[fact][0].split(' (USD)')[0]}: ${amount:,.2f}" for fact, amount in award.figures.items())


def draft_event(award, contract, source, *, record, new, program=None):
    """A draft contract event for a new award or a modification that changed a figure."""
    label = award.piid or award.generated_award_id
    if new:
        title = f"{award.subagency or award.agency} awards {label} to {award.recipient}"
        date = award.date_signed or award.last_modified.date()
        slug_text = f"award {label}"
    else:
        title = f"Award {label} to {award.recipient} modified"
        date = award.last_modified.date()
        slug_text = f"award {label} modified {date.isoformat()}"
    event = Event(slug=unique_slug(Event, slug_text, 120), title=title[:300], kind=EventKind.CONTRACT,
                  state=State.DRAFT, date=date, date_precision=Precision.DAY, contract=contract,
                  summary=f"{describe_figures(award)} (USAspending record, last modified {award.last_modified_text}).")
    event.date_end = period_end(date, Precision.DAY)
    # Created without post_save (its history row written here): saving an event queues a
    # re-scoring of recent reports (sources.signals), which a sync queues once at its end
    # instead of once per award.
    bulk_create_with_history([event], Event)
    bump_content_version()
    event.agencies.add(contract.agency)
    if contract.vendor_id:
        event.organizations.add(contract.vendor_id)
    program = program or contract.program
    if program is not None:
        event.programs.add(program)
    Citation.objects.create(content_type=ContentType.objects.get_for_model(Event), object_id=event.pk, source=source,
                            note="The award's USAspending record.")
    return event


# --- Curators' decisions on proposed matches ------------------------------------------------

@transaction.atomic
def accept_match(record, user):
    """The award is the contract on record: give it the award's ids and publish its figures."""
    if record.match_status != MatchStatus.PROPOSED:
        return False
    contract = record.contract
    apply_award_fields(contract, award_from_details(record.generated_award_id, record.details))
    _set_claims_state(record, contract, State.PUBLISHED)
    record.match_status, record.decided_by, record.decided_at = MatchStatus.ACCEPTED, user, timezone.now()
    record.save()
    return True


@transaction.atomic
def reject_match(record, user):
    """The award is another contract: create it and move the award's figures and events there."""
    if record.match_status != MatchStatus.PROPOSED:
        return False
    award = award_from_details(record.generated_award_id, record.details)
    old = record.contract
    contract = new_contract(award, old.agency, old.vendor, None)
    contract_type = ContentType.objects.get_for_model(Contract)
    source = Source.objects.filter(url=record.usaspending_url).first()
    for claim in Claim.objects.filter(content_type=contract_type, object_id=old.pk, source=source):
        claim.object_id, claim.state = contract.pk, State.PUBLISHED if contract.is_public else State.DRAFT
        claim.save()
    Citation.objects.filter(content_type=contract_type, object_id=old.pk, source=source).update(object_id=contract.pk)
    for event in Event.objects.filter(contract=old, citations__source=source, state=State.DRAFT):
        event.contract = contract
        event.save()
    record.contract = contract
    record.match_status, record.decided_by, record.decided_at = MatchStatus.REJECTED, user, timezone.now()
    record.save()
    return True


def _set_claims_state(record, contract, state):
    source = Source.objects.filter(url=record.usaspending_url).first()
    for claim in Claim.objects.filter(content_type=ContentType.objects.get_for_model(Contract),
                                      object_id=contract.pk, source=source).exclude(state=state):
        claim.state = state
        claim.save()
