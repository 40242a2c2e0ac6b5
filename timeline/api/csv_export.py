"""Streamed CSV for every list: all matching rows, fetched in batches, never capped.

Cells that a spreadsheet would run as a formula (starting with = + - @, tab or carriage return)
are prefixed with an apostrophe (OWASP's advice against CSV injection).
"""
import csv
import datetime
import decimal

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 1000


def neutralise(value):
    """Return the text of a cell, made inert when a spreadsheet would evaluate it."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime.date, datetime.datetime, decimal.Decimal, int, float)):
        text = value.isoformat() if hasattr(value, "isoformat") else str(value)
    else:
        text = str(value)
    if text.startswith(FORMULA_STARTS):
        return "'" + text
    return text


def flatten(item):
    """Turn one API row into flat CSV columns: lists joined with '; ', citations as addresses,
    nested objects as name_key columns."""
    flat = {}
    for key, value in item.items():
        if key == "citations":
            flat[key] = "; ".join(c["url"] or c["source_url"] for c in value)
        elif key == "lifecycle":
            flat[key] = "; ".join(f"{t['date'] or 'undated'} {t['status']}" for t in value)
        elif isinstance(value, dict):
            for sub, subvalue in value.items():
                flat[f"{key}_{sub}"] = subvalue
        elif isinstance(value, list):
            flat[key] = "; ".join(str(v) for v in value)
        else:
            flat[key] = value
    return flat


class _Echo:
    def write(self, value):
        return value


def csv_lines(batches):
    """Yield CSV text for an iterable of row batches (header from the first row)."""
    writer = csv.writer(_Echo())
    header = None
    for batch in batches:
        for item in batch:
            flat = flatten(item)
            if header is None:
                header = list(flat)
                yield writer.writerow(header)
            yield writer.writerow([neutralise(flat.get(name)) for name in header])


def all_rows(presenter, queryset, ordering, paginator, batch=BATCH):
    """Yield presented rows of the whole queryset in batches (a fixed number of queries per batch)."""
    after = None
    while True:
        rows = paginator.rows(presenter.values(queryset), ordering, batch, after)
        if not rows:
            return
        yield presenter.present(rows)
        if len(rows) < batch:
            return
        after = (rows[-1][ordering.field], rows[-1]["id"])
