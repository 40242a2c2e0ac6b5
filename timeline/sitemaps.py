"""The sitemap: every published record's permanent address, plus the fixed pages."""
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from timeline.models import Agency, Contract, Event, Organization, Person, Program, Source, Statement


class SiteURLSitemap(Sitemap):
    """Addresses on SITE_URL when it is set; otherwise Django uses the request's own scheme and
    host (validated by ALLOWED_HOSTS), as timeline.site does."""

    def get_protocol(self, protocol=None):
        return urlsplit(settings.SITE_URL).scheme if settings.SITE_URL else super().get_protocol(protocol)

    def get_domain(self, site=None):
        return urlsplit(settings.SITE_URL).netloc if settings.SITE_URL else super().get_domain(site)


class PublishedSitemap(SiteURLSitemap):
    model = None
    fields = ("slug", "modified_at")

    def items(self):
        return self.model.objects.published().only(*self.fields).order_by("pk")

    def lastmod(self, obj):
        return obj.modified_at


def published_sitemap(model, fields=("slug", "modified_at")):
    return type(f"{model.__name__}Sitemap", (PublishedSitemap,), {"model": model, "fields": fields})


class FixedPagesSitemap(SiteURLSitemap):
    def items(self):
        return ["timeline:home", "timeline:timeline", "timeline:about", "timeline:search"]

    def location(self, item):
        return reverse(item)


SITEMAPS = {
    "pages": FixedPagesSitemap,
    "programs": published_sitemap(Program),
    "events": published_sitemap(Event),
    "agencies": published_sitemap(Agency),
    "organizations": published_sitemap(Organization),
    "people": published_sitemap(Person),
    "contracts": published_sitemap(Contract),
    "statements": published_sitemap(Statement),
    "sources": published_sitemap(Source, fields=("modified_at",)),
}
