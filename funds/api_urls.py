"""Funds API, mounted under /api/v1/funds/."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from funds import api

router = SimpleRouter()
router.register("policies", api.PolicyViewSet, basename="funds-policy")

urlpatterns = [
    path("utilization/", api.UtilizationView.as_view(), name="funds-utilization"),
    path("", include(router.urls)),
]
