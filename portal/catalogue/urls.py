"""The priced catalogue's pages, under ``/bases/`` where the catalogue always was (mounted
before ``bases.urls`` in ``recuperation/urls.py``; bases' own pages share the prefix)."""

from django.urls import path

from portal.catalogue import views

app_name = "trips"
urlpatterns = [
    path("", views.catalogue, name="catalogue"),
    path("itineraries/<int:pk>/", views.itinerary_detail, name="itinerary_detail"),
    path("compare/", views.compare_page, name="compare"),
    path("compare/toggle/", views.compare_toggle, name="compare_toggle"),
]
