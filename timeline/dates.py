"""Dates known to a day, a month or a year.

A date is stored as the first day of its period plus a precision; "April 2025" is stored as
2025-04-01 with precision "month" and is never shown or filtered as the 1st of April.
"""
import calendar
import datetime

from django.core.exceptions import ValidationError
from django.db import models


class Precision(models.TextChoices):
    DAY = "day", "Day"
    MONTH = "month", "Month"
    YEAR = "year", "Year"


def period_end(value, precision):
    """Return the last day of the period a precise date stands for."""
    if value is None:
        return None
    if precision == Precision.YEAR:
        return datetime.date(value.year, 12, 31)
    if precision == Precision.MONTH:
        return datetime.date(value.year, value.month, calendar.monthrange(value.year, value.month)[1])
    return value


def format_precise(value, precision):
    """Return a date as people write it at its precision: '9 May 2025', 'April 2025', '2014'."""
    if value is None:
        return "date unknown"
    if precision == Precision.YEAR:
        return str(value.year)
    if precision == Precision.MONTH:
        return f"{calendar.month_name[value.month]} {value.year}"
    return f"{value.day} {calendar.month_name[value.month]} {value.year}"


def iso_precise(value, precision):
    """Return the ISO 8601 form truncated to the precision: '2025-05-09', '2025-04', '2014'."""
    if value is None:
        return None
    if precision == Precision.YEAR:
        return f"{value.year:04d}"
    if precision == Precision.MONTH:
        return f"{value.year:04d}-{value.month:02d}"
    return value.isoformat()


def parse_precise(text):
    """Parse '2025', '2025-04' or '2025-04-15' into (date, precision); raise ValueError otherwise."""
    text = (text or "").strip()
    parts = text.split("-")
    if len(parts) == 1 and len(parts[0]) == 4 and parts[0].isdigit():
        return datetime.date(int(parts[0]), 1, 1), Precision.YEAR
    if len(parts) == 2 and len(parts[0]) == 4 and len(parts[1]) == 2 and text.replace("-", "").isdigit():
        return datetime.date(int(parts[0]), int(parts[1]), 1), Precision.MONTH
    if len(parts) == 3:
        return datetime.date.fromisoformat(text), Precision.DAY
    raise ValueError(f"{text!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")


def validate_precise_date(value, precision, field="date"):
    """Raise ValidationError when a date carries more detail than its precision allows."""
    if value is None:
        return
    if precision not in Precision.values:
        raise ValidationError({f"{field}_precision" if field == "date" else field: f"Unknown precision {precision!r}."})
    if precision == Precision.MONTH and value.day != 1:
        raise ValidationError({field: (
            f"A month-precision date is entered as the first of its month "
            f"({value.year:04d}-{value.month:02d}-01 for {format_precise(value, precision)}); "
            f"{value.isoformat()} names a day. Choose day precision if the day is known."
        )})
    if precision == Precision.YEAR and (value.month, value.day) != (1, 1):
        raise ValidationError({field: (
            f"A year-precision date is entered as 1 January of its year ({value.year:04d}-01-01); "
            f"{value.isoformat()} names a month or day. Choose a finer precision if it is known."
        )})
