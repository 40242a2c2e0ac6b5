from django.contrib.sitemaps.views import sitemap
from django.urls import path

from timeline import feeds, views
from timeline.page_cache import cache_public_page
from timeline.sitemaps import SITEMAPS

app_name = "timeline"

urlpatterns = [
    path("", views.home, name="home"),
    path("timeline/", views.timeline, name="timeline"),
    path("search/", views.search, name="search"),
    path("about/", views.about_page, name="about"),
    path("programs/", views.record_index, {"kind": "programs"}, name="programs"),
    path("agencies/", views.record_index, {"kind": "agencies"}, name="agencies"),
    path("organizations/", views.record_index, {"kind": "organizations"}, name="organizations"),
    path("people/", views.record_index, {"kind": "people"}, name="people"),
    path("contracts/", views.record_index, {"kind": "contracts"}, name="contracts"),
    path("sources/", views.record_index, {"kind": "sources"}, name="sources"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("contracts/<slug:slug>/", views.contract_detail, name="contract"),
    path("statements/<slug:slug>/", views.statement_detail, name="statement"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
    path("<str:kind>/<str:key>/versions/", views.record_versions, name="versions"),
    path("<str:kind>/<str:key>/versions/<int:number>/", views.record_version, name="version"),
    path("changes/", views.changes, name="changes"),
    path("data/", views.data_page, name="data"),
    path("data/<str:name>", views.data_file, name="data-file"),
    path("changes/feed/", cache_public_page(feeds.ChangesFeed()), name="changes-feed"),
    path("feeds/events/", cache_public_page(feeds.NewEventsFeed()), name="feed"),
    path("feeds/programs/<slug:slug>/", cache_public_page(feeds.ProgramEventsFeed()), name="program-feed"),
    path("feeds/agencies/<slug:slug>/", cache_public_page(feeds.AgencyEventsFeed()), name="agency-feed"),
    path("sitemap.xml", cache_public_page(sitemap), {"sitemaps": SITEMAPS}, name="sitemap"),
]
