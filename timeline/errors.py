"""Friendly error pages (400, 403, 404, 410, 500, 503): plain, no traceback, no database access.

Under /api/ the same errors answer JSON ({"detail": ...}) so that clients get one format.
Wired in config/urls.py as handler400/403/404/500.
"""
import sys

from django.db import OperationalError
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string

from timeline.db_errors import response_for_database_error, wants_json

MESSAGES = {
    400: ("Bad request", "The request could not be understood. Check the address and try again."),
    403: ("Not allowed", "You do not have permission to see this page."),
    404: ("Page not found", "There is no page at this address. It may have been mistyped, "
                            "or the record was never published."),
    410: ("Removed", "This record was removed from the timeline. Its address is kept so that "
                     "citations do not silently break."),
    500: ("Something went wrong", "An error on our side stopped this page. It has been logged; "
                                  "please try again later."),
}


def error_response(request, status, detail=None, context=None):
    """Render the error page for `status` (JSON under /api/)."""
    title, message = MESSAGES[status]
    if request is not None and wants_json(request):
        return JsonResponse({"detail": detail or message}, status=status)
    html = render_to_string(
        "errors/error.html",
        {"status": status, "title": title, "message": detail or message, **(context or {})},
        request=None,  # no context processors: an error page must not need the database
    )
    return HttpResponse(html, status=status)


def bad_request(request, exception=None):
    return error_response(request, 400)


def permission_denied(request, exception=None):
    return error_response(request, 403)


def page_not_found(request, exception=None):
    return error_response(request, 404)


def server_error(request):
    # Called while the exception is being handled: a database outage that surfaced outside a
    # view (in a middleware) still gets the 503 page rather than a 500.
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError):
        return response_for_database_error(request, exc)
    return error_response(request, 500)


def csrf_failure(request, reason=""):
    return error_response(request, 403, "The form could not be accepted: it expired or was sent "
                                        "from another site. Go back, reload the page and try again.")
