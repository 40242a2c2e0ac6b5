from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/records/", include("records.api")),
    path("api/v1/", include("timeline.api.urls")),
    path("", include("timeline.urls")),
]

# Friendly error pages without tracebacks (timeline/errors.py); /healthz is answered by
# timeline.health.HealthCheckMiddleware.
handler400 = "timeline.errors.bad_request"
handler403 = "timeline.errors.permission_denied"
handler404 = "timeline.errors.page_not_found"
handler500 = "timeline.errors.server_error"
