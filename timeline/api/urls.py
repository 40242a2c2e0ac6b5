"""/api/v1/: the researchers' REST API, its schema and its documentation."""
from csp.decorators import csp_update
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from timeline.api.views.agency import AgencyViewSet
from timeline.api.views.claim import ClaimViewSet
from timeline.api.views.contract import ContractViewSet
from timeline.api.views.event import EventViewSet
from timeline.api.views.organization import OrganizationViewSet
from timeline.api.views.person import PersonViewSet
from timeline.api.views.program import ProgramViewSet
from timeline.api.views.report import ReportViewSet
from timeline.api.views.source import SourceViewSet
from timeline.api.views.statement import StatementViewSet
from timeline.api.views.timelinejs import TimelineJSView
from timeline.security import REDOC_EXTRA_SOURCES

app_name = "api"

router = DefaultRouter()
router.include_format_suffixes = False
router.register("agencies", AgencyViewSet, basename="agency")
router.register("organizations", OrganizationViewSet, basename="organization")
router.register("people", PersonViewSet, basename="person")
router.register("programs", ProgramViewSet, basename="program")
router.register("events", EventViewSet, basename="event")
router.register("contracts", ContractViewSet, basename="contract")
router.register("statements", StatementViewSet, basename="statement")
router.register("sources", SourceViewSet, basename="source")
router.register("claims", ClaimViewSet, basename="claim")
router.register("reports", ReportViewSet, basename="report")

urlpatterns = [
    path("timeline.json", TimelineJSView.as_view(), name="timeline-js"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api:schema"), name="docs"),
    path("redoc/", csp_update(REDOC_EXTRA_SOURCES)(SpectacularRedocView.as_view(url_name="api:schema")), name="redoc"),
    path("", include(router.urls)),
]
