"""API routes of this app, mounted under /api/v1/: bases/, itineraries/, batches/."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from bases.api import BaseViewSet, BatchViewSet, ItineraryViewSet

router = SimpleRouter()
router.register("bases", BaseViewSet, basename="base")
# A layer above may register a subclass of ItineraryViewSet (net cost) here instead.
router.register("itineraries", ItineraryViewSet, basename="itinerary")
router.register("batches", BatchViewSet, basename="batch")

urlpatterns = router.urls
