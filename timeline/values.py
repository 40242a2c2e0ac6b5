"""Values as people read them: dollar amounts with separators, agencies and organizations by
name. Claims store a value as the source gives it plus its kind (Claim.value_kind)."""
from decimal import Decimal, InvalidOperation

from timeline.models import Agency, Claim, Organization


def format_usd(value):
    """Format a dollar amount: 30000000 -> '$30,000,000'; cents only when there are some.

    A value that is not a number is returned as it is written."""
    if value is None or value == "":
        return ""
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError):
        return str(value)
    if not amount.is_finite():
        return str(value)
    return f"${amount:,.0f}" if amount == amount.to_integral() else f"${amount:,.2f}"


def label_claim_values(claims):
    """Set `value_label` on each claim: dollars formatted, agency and organization slugs as names.

    One query per referenced kind present (none when all values are text); returns the claims."""
    claims = list(claims)
    names = {}
    for kind, model in ((Claim.ValueKind.AGENCY, Agency), (Claim.ValueKind.ORGANIZATION, Organization)):
        slugs = {c.value for c in claims if c.value_kind == kind}
        if slugs:
            names[kind] = dict(model.objects.filter(slug__in=slugs).values_list("slug", "name"))
    for claim in claims:
        if claim.value_kind == Claim.ValueKind.USD:
            claim.value_label = format_usd(claim.value)
        elif claim.value_kind in names:
            claim.value_label = names[claim.value_kind].get(claim.value, claim.value)
        else:
            claim.value_label = claim.value
    return claims
