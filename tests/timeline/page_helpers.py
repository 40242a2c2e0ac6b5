"""Builders and fixtures shared by the public page tests."""
import datetime

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache

from timeline.models import Agency, Citation, Event, Organization, Program, Source


@pytest.fixture
def fresh_cache():
    """An empty cache, so no test sees a page another test rendered."""
    cache.clear()
    yield
    cache.clear()


def published(model, **fields):
    return model.objects.create(state="published", **fields)


def world():
    """A small published world: DHS above CBP, a program, a vendor and a source."""
    dhs = published(Agency, slug="dhs", name="Department of Homeland Security", abbreviation="DHS")
    cbp = published(Agency, slug="cbp", name="Customs and Border Protection", abbreviation="CBP", parent=dhs)
    program = published(Program, slug="face-capture", name="Face capture", summary="Cameras at the border.")
    program.agencies.add(cbp)
    vendor = published(Organization, slug="acme", name="Acme Vision")
    source = published(Source, url="https://news.example.org/face-capture", outlet="Example News",
                       headline="Border cameras expand", published=datetime.date(2025, 5, 9),
                       archived_url="https://archive.example.org/face-capture")
    return {"dhs": dhs, "cbp": cbp, "program": program, "vendor": vendor, "source": source}


def make_events(count, w, start=0, **fields):
    """Create `count` published events tied to the world's program, CBP, the vendor and the source."""
    event_type = ContentType.objects.get_for_model(Event)
    events = []
    for i in range(start, start + count):
        event = published(
            Event, slug=f"event-{i}", title=f"Event number {i}", kind="announcement",
            date=datetime.date(2020 + i % 5, 1 + i % 12, 1), date_precision="month", **fields,
        )
        event.programs.add(w["program"])
        event.agencies.add(w["cbp"])
        event.organizations.add(w["vendor"])
        Citation.objects.create(source=w["source"], content_type=event_type, object_id=event.pk)
        events.append(event)
    return events
