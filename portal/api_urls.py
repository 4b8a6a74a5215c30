"""API routes that combine apps, mounted under /api/v1/: the priced itinerary list and
"recommended for you"."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from portal.api import PricedItineraryViewSet, RecommendationList

router = SimpleRouter()
router.register("itineraries", PricedItineraryViewSet, basename="itinerary")

urlpatterns = [
    path("recommendations/", RecommendationList.as_view(), name="recommendation-list"),
    *router.urls,
]
