"""The project's URLs plus the plain view the API is compared with."""
from django.http import JsonResponse
from django.urls import path

from config.urls import urlpatterns as project_urlpatterns
from timeline.models import Event


def plain_events(request):
    """The baseline: one query, Django's JSON encoder, nothing else."""
    return JsonResponse(list(Event.objects.values()[:100]), safe=False)


urlpatterns = [path("bench/plain-events/", plain_events), *project_urlpatterns]
