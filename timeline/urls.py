from django.urls import path

from timeline import views

app_name = "timeline"

urlpatterns = [
    path("", views.home, name="home"),
    path("events/<slug:slug>/", views.event_detail, name="event"),
    path("programs/<slug:slug>/", views.program_detail, name="program"),
    path("agencies/<slug:slug>/", views.agency_detail, name="agency"),
    path("organizations/<slug:slug>/", views.organization_detail, name="organization"),
    path("people/<slug:slug>/", views.person_detail, name="person"),
    path("contracts/<slug:slug>/", views.contract_detail, name="contract"),
    path("statements/<slug:slug>/", views.statement_detail, name="statement"),
    path("sources/<int:pk>/", views.source_detail, name="source"),
]
