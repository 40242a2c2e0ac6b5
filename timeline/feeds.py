"""Atom feeds of new events: all of them, one program's, one agency's (with its child agencies).

Every address in a feed is absolute on the site's public base URL (timeline.site): the feed's
object is a FeedScope carrying that base with the record the feed is about, because a Feed
instance is shared by every request and cannot keep per-request state.
"""
from dataclasses import dataclass

from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed

from timeline.browse import filter_events
from timeline.gone import get_public_or_gone
from timeline.models import Agency, Event, Program
from timeline.site import site_url
from timeline.versions import recent_changes

FEED_ITEMS = 50


@dataclass
class FeedScope:
    base: str            # the public base URL, no trailing slash
    record: object = None  # the program or agency the feed is about; None for every event


class NewEventsFeed(Feed):
    """Published events, the most recently added first."""

    feed_type = Atom1Feed
    title = "Surveillance Timeline: new events"
    subtitle = "Events newly added to the timeline, with their dates and sources on each page."

    def get_object(self, request, *args, **kwargs):
        return FeedScope(base=site_url(request), record=self.get_record(**kwargs))

    def get_record(self, **kwargs):
        return None

    def link(self, obj):
        return obj.base + reverse("timeline:timeline")

    def feed_url(self, obj):
        return obj.base + reverse("timeline:feed")

    def events(self, record):
        return Event.objects.published()

    def items(self, obj):
        items = list(self.events(obj.record).order_by("-created_at", "-id").only(
            "slug", "title", "summary", "date", "date_precision", "created_at", "modified_at"
        )[:FEED_ITEMS])
        for item in items:
            item.absolute_url = obj.base + item.get_absolute_url()
        return items

    def item_link(self, item):
        return item.absolute_url

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
        return item.absolute_url

    item_guid_is_permalink = True

    def author_name(self):
        return "Surveillance Timeline"


class ProgramEventsFeed(NewEventsFeed):
    def get_record(self, slug):
        return get_public_or_gone(Program, slug=slug)  # a deleted program's feed is 410 Gone

    def title(self, obj):
        return f"Surveillance Timeline: new events about {obj.record.name}"

    def link(self, obj):
        return obj.base + obj.record.get_absolute_url()

    def feed_url(self, obj):
        return obj.base + reverse("timeline:program-feed", args=[obj.record.slug])

    def events(self, record):
        return filter_events(Event.objects.published(), program=record)


class AgencyEventsFeed(NewEventsFeed):
    def get_record(self, slug):
        return get_public_or_gone(Agency, slug=slug)

    def title(self, obj):
        return f"Surveillance Timeline: new events involving {obj.record}"

    def link(self, obj):
        return obj.base + obj.record.get_absolute_url()

    def feed_url(self, obj):
        return obj.base + reverse("timeline:agency-feed", args=[obj.record.slug])

    def events(self, record):
        return filter_events(Event.objects.published(), agency=record)


class ChangesFeed(Feed):
    """The recent edits of published records (timeline.versions.recent_changes)."""

    feed_type = Atom1Feed
    title = "Surveillance Timeline: recent changes"
    subtitle = "Edits of published records: which record, which fields, when and by which role."

    def get_object(self, request, *args, **kwargs):
        return FeedScope(base=site_url(request))

    def link(self, obj):
        return obj.base + reverse("timeline:changes")

    def feed_url(self, obj):
        return obj.base + reverse("timeline:changes-feed")

    def items(self, obj):
        changes = recent_changes()
        for change in changes:
            change.absolute_url = obj.base + change.url
        return changes

    def item_title(self, item):
        return f"{item.kind.label.capitalize()}: {item.label} (version {item.row.version})"

    def item_description(self, item):
        return f"{item.what}, by {item.role.lower()}."

    def item_link(self, item):
        return item.absolute_url

    def item_guid(self, item):
        return item.absolute_url  # a version's address never changes

    item_guid_is_permalink = True

    def item_pubdate(self, item):
        return item.date

    def item_updateddate(self, item):
        return item.date

    def author_name(self):
        return "Surveillance Timeline"
