"""The USAspending API's formats: the search we send and the awards we read. No database.

Documented in fedspendingtransparency/usaspending-api, api_contracts/contracts/v2/:
`POST /api/v2/search/spending_by_award/` (filters, fields, page/limit, page_metadata.hasNext)
and `GET /api/v2/awards/<generated_unique_award_id>/` (a ContractResponse).
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from urllib.parse import quote

from django.conf import settings

SEARCH_PATH = "/api/v2/search/spending_by_award/"
AWARD_PATH = "/api/v2/awards/{}/"
SEARCH_FIELDS = ["Award ID", "Recipient Name", "Awarding Agency", "Awarding Sub Agency", "Award Amount",
                 "Start Date", "End Date", "Last Modified Date", "Description", "generated_internal_id"]
# USAspending's earliest last_modified_date filter (the time_period limit in the contract).
EARLIEST = datetime.date(2007, 10, 1)
FIGURES = {
    # fact: (label, field of the award response)
    "value": ("contract value (USD): obligated amount on USAspending", "total_obligation"),
    "current-total-value": ("current total value (USD) on USAspending", "base_exercised_options"),
    "potential-total-value": ("potential total value (USD) on USAspending", "base_and_all_options"),
}


class BadAward(ValueError):
    """An award (or a search row) that cannot be stored as it is; the message says why."""


@dataclass(frozen=True)
class AwardQuery:
    """What a watch asks USAspending for (a stored AwardWatch or a one-off from the command)."""

    awarding_agency: str
    recipient: str
    awarding_subagency: str = ""
    keywords: tuple = ()
    award_type_codes: tuple = ("A", "B", "C", "D")
    modified_since: datetime.date | None = None

    @classmethod
    def of_watch(cls, watch):
        return cls(watch.awarding_agency, watch.recipient, watch.awarding_subagency, tuple(watch.keyword_list),
                   tuple(watch.type_codes) or ("A", "B", "C", "D"), watch.modified_since)


def search_url():
    return settings.USASPENDING_API_URL + SEARCH_PATH


def award_url(generated_award_id):
    return settings.USASPENDING_API_URL + AWARD_PATH.format(quote(generated_award_id, safe=""))


def search_payload(query, page, limit, today=None):
    """The spending_by_award request body for one page, oldest modification first."""
    agencies = [{"type": "awarding", "tier": "toptier", "name": query.awarding_agency}]
    if query.awarding_subagency:
        agencies = [{"type": "awarding", "tier": "subtier", "name": query.awarding_subagency,
                     "toptier_name": query.awarding_agency}]
    filters = {"award_type_codes": list(query.award_type_codes), "agencies": agencies,
               "recipient_search_text": [query.recipient]}
    if query.keywords:
        filters["keywords"] = list(query.keywords)
    if query.modified_since:
        start = max(query.modified_since, EARLIEST)
        filters["time_period"] = [{"start_date": start.isoformat(),
                                   "end_date": (today or datetime.date.today()).isoformat(),
                                   "date_type": "last_modified_date"}]
    return {"filters": filters, "fields": SEARCH_FIELDS, "page": page, "limit": limit,
            "sort": "Last Modified Date", "order": "asc", "subawards": False}


@dataclass(frozen=True)
class AwardRow:
    """One row of a search page: enough to decide whether to fetch the award."""

    generated_award_id: str
    last_modified: str


def search_rows(page_data):
    """Return (rows, has_next, problems) from a spending_by_award response.

    A row without a generated id or a last-modified date is skipped and named in `problems`;
    a response without `results` raises BadAward (the whole page is unusable).
    """
    results = page_data.get("results")
    if not isinstance(results, list):
        raise BadAward("the search response has no results list")
    rows, problems = [], []
    for row in results:
        gid = row.get("generated_internal_id") if isinstance(row, dict) else None
        modified = row.get("Last Modified Date") if isinstance(row, dict) else None
        if not gid or not isinstance(gid, str):
            problems.append(f"a search row without generated_internal_id ({str(row)[:80]})")
            continue
        if not modified:
            problems.append(f"{gid}: no Last Modified Date in the search row")
            continue
        rows.append(AwardRow(gid, str(modified)))
    metadata = page_data.get("page_metadata") or {}
    return rows, bool(metadata.get("hasNext")), problems


@dataclass
class Award:
    """One contract award read from the award endpoint, checked and converted."""

    generated_award_id: str
    piid: str
    description: str
    last_modified: datetime.datetime
    last_modified_text: str
    date_signed: datetime.date | None
    start: datetime.date | None
    end: datetime.date | None
    agency: str
    subagency: str
    recipient: str
    parent_generated_id: str = ""
    parent_piid: str = ""
    figures: dict = field(default_factory=dict)  # fact -> Decimal

    @property
    def page_url(self):
        from records.models import award_page_url

        return award_page_url(self.generated_award_id)


def parse_date(value, what):
    """A YYYY-MM-DD date (a time after it is ignored); None when empty. BadAward otherwise."""
    if value in (None, ""):
        return None
    if not isinstance(value, str):
        raise BadAward(f"{what}: expected a date, got {value!r}")
    try:
        return datetime.date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise BadAward(f"{what}: {value!r} is not a YYYY-MM-DD date") from None


def parse_timestamp(value, what):
    """'2019-10-27 20:06:44' (the API's form) or an ISO date-time, as an aware UTC datetime."""
    if not isinstance(value, str) or not value.strip():
        raise BadAward(f"{what}: missing")
    try:
        parsed = datetime.datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
    except ValueError:
        raise BadAward(f"{what}: {value!r} is not a date and time the API documents") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=datetime.timezone.utc)


def parse_amount(value, what):
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise BadAward(f"{what}: expected a number, got {value!r}")
    try:
        amount = Decimal(str(value)).quantize(Decimal("0.01"))
    except InvalidOperation:
        raise BadAward(f"{what}: {value!r} is not a number") from None
    if not amount.is_finite():
        raise BadAward(f"{what}: {value!r} is not a number")
    return amount


def _name(agency, tier):
    return ((agency or {}).get(tier) or {}).get("name") or ""


def parse_award(data):
    """Read an award response into an Award; BadAward names the first thing that is wrong.

    An award must carry its id, its last-modified time, its recipient and at least one of its
    amounts: a record missing all three amounts would otherwise erase figures already stored.
    """
    gid = data.get("generated_unique_award_id")
    if not gid or not isinstance(gid, str):
        raise BadAward("the award has no generated_unique_award_id")
    period = data.get("period_of_performance") or {}
    if not isinstance(period, dict):
        raise BadAward(f"{gid}: period_of_performance is not an object")
    last_modified_text = period.get("last_modified_date")
    last_modified = parse_timestamp(last_modified_text, f"{gid}: last_modified_date")
    figures = {}
    for fact, (_label, key) in FIGURES.items():
        amount = parse_amount(data.get(key), f"{gid}: {key}")
        if amount is not None:
            figures[fact] = amount
    if not figures:
        raise BadAward(f"{gid}: the award has none of its amounts ({', '.join(k for _l, k in FIGURES.values())})")
    recipient = (data.get("recipient") or {}).get("recipient_name") or ""
    if not recipient:
        raise BadAward(f"{gid}: the award names no recipient")
    awarding = data.get("awarding_agency") or {}
    parent = data.get("parent_award") or {}
    start = parse_date(period.get("start_date"), f"{gid}: start_date")
    end = parse_date(period.get("end_date"), f"{gid}: end_date")
    return Award(
        generated_award_id=gid, piid=str(data.get("piid") or "")[:60], description=str(data.get("description") or ""),
        last_modified=last_modified, last_modified_text=str(last_modified_text),
        date_signed=parse_date(data.get("date_signed"), f"{gid}: date_signed"),
        start=start, end=end if not (start and end and end < start) else None,
        agency=_name(awarding, "toptier_agency"), subagency=_name(awarding, "subtier_agency"), recipient=recipient,
        parent_generated_id=str(parent.get("generated_unique_award_id") or ""),
        parent_piid=str(parent.get("piid") or "")[:60], figures=figures,
    )
