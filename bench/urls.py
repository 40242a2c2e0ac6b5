"""The project's URLs plus the plain view the API is compared with."""
from django.http import HttpResponse, JsonResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from timeline.models import Event


def plain_events(request):
    """The baseline: one query, Django's JSON encoder, nothing else."""
    return JsonResponse(list(Event.objects.values()[:100]), safe=False)


def hello(request):
    """The floor: the project's middleware and a response, no database, no JSON."""
    return HttpResponse(b"hello", content_type="text/plain")


urlpatterns = [path("bench/plain-events/", plain_events), path("bench/hello/", hello), *project_urlpatterns]
