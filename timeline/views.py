"""Public pages (placeholder views until the website issue lands)."""
from django.shortcuts import render

from timeline.gone import get_public_or_gone
from timeline.models import Agency, Contract, Event, Organization, Person, Program, Source, Statement


def home(request):
    events = Event.objects.published().order_by("-date", "-id")[:20]
    programs = Program.objects.published()
    return render(request, "timeline/home.html", {"events": events, "programs": programs})


def _detail(model, lookup):
    def view(request, **kwargs):
        obj = get_public_or_gone(model, **{lookup: kwargs[lookup]})
        return render(request, "timeline/object_detail.html", {"object": obj})
    return view


event_detail = _detail(Event, "slug")
program_detail = _detail(Program, "slug")
agency_detail = _detail(Agency, "slug")
organization_detail = _detail(Organization, "slug")
person_detail = _detail(Person, "slug")
contract_detail = _detail(Contract, "slug")
statement_detail = _detail(Statement, "slug")
source_detail = _detail(Source, "pk")
