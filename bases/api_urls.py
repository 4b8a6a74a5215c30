"""API routes of this app, mounted under /api/v1/: bases/, batches/."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from bases.api import BaseViewSet, BatchViewSet

router = SimpleRouter()
router.register("bases", BaseViewSet, basename="base")
# itineraries/ is registered by portal.api_urls: a subclass of bases.api.ItineraryViewSet that
# adds each worker's net cost (it needs funds, which bases must not import).
router.register("batches", BatchViewSet, basename="batch")

urlpatterns = router.urls
