"""The project's URLs plus views that fail on purpose, for the error-page and database tests."""
from django.db import OperationalError, connection
from django.http import HttpResponse
from django.urls import path

from config.urls import handler400, handler403, handler404, handler500, urlpatterns as project_urls  # noqa: F401


def boom(request):
    raise RuntimeError("secret internals that must not be shown")


def pathological_query(request):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_sleep(5)")
    return HttpResponse("finished")


CALLS = {"flaky": 0}


def database_lost_once(request):
    CALLS["flaky"] += 1
    if CALLS["flaky"] == 1:
        raise OperationalError("server closed the connection unexpectedly")
    return HttpResponse(f"answered on attempt {CALLS['flaky']}")


urlpatterns = [
    path("test-faults/boom/", boom),
    path("api/v1/test-faults/boom/", boom),
    path("test-faults/slow/", pathological_query),
    path("api/v1/test-faults/slow/", pathological_query),
    path("test-faults/flaky/", database_lost_once),
    *project_urls,
]
