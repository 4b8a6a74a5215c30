"""API routes that combine apps, mounted under /api/v1/."""

from rest_framework.routers import SimpleRouter

from portal.api import PricedItineraryViewSet

router = SimpleRouter()
router.register("itineraries", PricedItineraryViewSet, basename="itinerary")

urlpatterns = router.urls
