"""Atom feeds of new events: all of them, one program's, one agency's (with its child agencies)."""
from django.conf import settings
from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from timeline.browse import filter_events
from timeline.gone import get_public_or_gone
from timeline.models import Agency, Event, Program

FEED_ITEMS = 50


class NewEventsFeed(Feed):
    """Published events, the most recently added first."""

    feed_type = Atom1Feed
    title = "Surveillance Timeline: new events"
    subtitle = "Events newly added to the timeline, with their dates and sources on each page."

    def link(self, obj=None):
        return reverse("timeline:timeline")

    def feed_url(self, obj=None):
        return reverse("timeline:feed")

    def events(self, obj):
        return Event.objects.published()

    def items(self, obj=None):
        return self.events(obj).order_by("-created_at", "-id").only(
            "slug", "title", "summary", "date", "date_precision", "created_at", "modified_at"
        )[:FEED_ITEMS]

    def item_title(self, item):
        return f"{item.date_display}: {item.title}"

    def item_description(self, item):
        return item.summary

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.modified_at

    def item_guid(self, item):
        # The permalink: slugs never change, so readers never see an item twice.
        return settings.SITE_URL + item.get_absolute_url()

    item_guid_is_permalink = True

    def author_name(self):
        return "Surveillance Timeline"


class ProgramEventsFeed(NewEventsFeed):
    def get_object(self, request, slug):
        return get_public_or_gone(Program, slug=slug)  # a deleted program's feed is 410 Gone

    def title(self, obj):
        return f"Surveillance Timeline: new events about {obj.name}"

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse("timeline:program-feed", args=[obj.slug])

    def events(self, obj):
        return filter_events(Event.objects.published(), program=obj)


class AgencyEventsFeed(NewEventsFeed):
    def get_object(self, request, slug):
        return get_public_or_gone(Agency, slug=slug)

    def title(self, obj):
        return f"Surveillance Timeline: new events involving {obj}"

    def link(self, obj):
        return obj.get_absolute_url()

    def feed_url(self, obj):
        return reverse("timeline:agency-feed", args=[obj.slug])

    def events(self, obj):
        return filter_events(Event.objects.published(), agency=obj)
