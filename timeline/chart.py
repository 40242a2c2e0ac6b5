"""A chart of events over time per program, drawn on the server as SVG.

Pure layout over plain counts (chart_layout) plus one function that reads the counts (two
aggregate queries). The SVG uses classes and geometry attributes only, no inline style, so it
works under a Content-Security-Policy without 'unsafe-inline' and without any JavaScript.
"""
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import CharField, Count, IntegerField
from django.db.models.functions import Cast, ExtractYear, Substr

from timeline.models import Event

WIDTH = 640
LEFT = 8
RIGHT = 8
ROW_LABEL = 16   # height of the program name above its bars
ROW_BARS = 26    # height of the tallest bar
ROW_GAP = 8
AXIS = 22
MAX_ROWS = 10
MAX_TICKS = 12


@dataclass
class Bar:
    x: float
    y: float
    width: float
    height: float
    year: int
    count: int


@dataclass
class Row:
    label: str
    slug: str | None
    total: int
    y: float
    bars: list = field(default_factory=list)
    is_total: bool = False

    @property
    def label_y(self):
        return self.y + ROW_LABEL - 4

    @property
    def baseline(self):
        return self.y + ROW_LABEL + ROW_BARS


@dataclass
class Chart:
    width: int
    height: int
    rows: list
    ticks: list
    first_year: int | None
    last_year: int | None
    hidden_programs: int = 0

    @property
    def is_empty(self):
        return not self.rows

    @property
    def axis_y(self):
        return self.height - AXIS + 14

    @property
    def description(self):
        if self.is_empty:
            return "No dated events to chart."
        parts = [f"{row.label}: {row.total} event{'s' if row.total != 1 else ''}" for row in self.rows]
        return f"Events per year from {self.first_year} to {self.last_year}. " + "; ".join(parts) + "."


def chart_layout(per_program, totals):
    """Lay out the chart from counts.

    per_program: {(slug, name): {year: count}}; totals: {year: count} for all events shown.
    Program rows share one scale so they can be compared; the totals row has its own.
    """
    years = sorted(totals)
    if not years:
        return Chart(WIDTH, 0, [], [], None, None)
    first, last = years[0], years[-1]
    span = last - first + 1
    plot = WIDTH - LEFT - RIGHT
    slot = plot / span
    bar_width = max(slot - 1, 1) if slot > 2 else slot

    ranked = sorted(per_program.items(), key=lambda item: (-sum(item[1].values()), item[0][1]))
    shown, hidden = ranked[:MAX_ROWS], len(ranked) - MAX_ROWS
    program_max = max((n for _, counts in shown for n in counts.values()), default=1)

    rows, y = [], 0.0
    specs = [("All events shown", None, totals, max(totals.values()), True)]
    specs += [(name, slug, counts, program_max, False) for (slug, name), counts in shown]
    for label, slug, counts, scale, is_total in specs:
        row = Row(label=label, slug=slug, total=sum(counts.values()), y=y, is_total=is_total)
        for year, count in sorted(counts.items()):
            height = max(round(ROW_BARS * count / scale, 1), 1.5)
            row.bars.append(Bar(
                x=round(LEFT + (year - first) * slot, 1), y=round(row.baseline - height, 1),
                width=round(bar_width, 1), height=height, year=year, count=count,
            ))
        rows.append(row)
        y += ROW_LABEL + ROW_BARS + ROW_GAP

    step = max(1, -(-span // MAX_TICKS))
    ticks = [(round(LEFT + (year - first + 0.5) * slot, 1), year) for year in range(first, last + 1, step)]
    return Chart(WIDTH, int(y + AXIS), rows, ticks, first, last, max(hidden, 0))


def year_of(field):
    """The year of a date column. SQLite's ExtractYear calls back into Python for every row;
    the first four characters of its ISO text are the same year at native speed."""
    if connection.vendor == "sqlite":
        return Cast(Substr(Cast(field, CharField()), 1, 4), IntegerField())
    return ExtractYear(field)


def events_chart(events):
    """Return the chart of an Event queryset (two aggregate queries)."""
    through = Event.programs.through.objects.filter(
        event__in=events.order_by().values("pk"), event__date__isnull=False,
        program__state="published", program__deleted_at__isnull=True,
    )
    per_program = {}
    for row in (through.values("program__slug", "program__name", year=year_of("event__date"))
                .annotate(n=Count("event_id")).order_by()):
        per_program.setdefault((row["program__slug"], row["program__name"]), {})[row["year"]] = row["n"]
    totals = {
        row["year"]: row["n"]
        for row in events.filter(date__isnull=False).order_by().values(year=year_of("date")).annotate(n=Count("id"))
    }
    return chart_layout(per_program, totals)
