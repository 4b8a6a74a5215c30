"""API routes of this app, mounted under /api/v1/."""

from __future__ import annotations

from django.urls import path
from rest_framework.routers import SimpleRouter

from applications import api

router = SimpleRouter()
router.register("applications", api.ApplicationViewSet, basename="application")
router.register("group-trips", api.GroupTripViewSet, basename="group-trip")
router.register("roster-imports", api.RosterImportViewSet, basename="roster-import")
router.register("settlements", api.SettlementViewSet, basename="settlement")
router.register("lotteries", api.LotteryViewSet, basename="lottery")
router.register("notifications", api.NotificationViewSet, basename="notification")

urlpatterns = [
    # Nested under bases' batches/ (bases' router has no such route, so these are reached).
    path("batches/<str:pk>/lottery/", api.BatchLotteryView.as_view(), name="batch-lottery"),
    path(
        "batches/<str:pk>/lottery/draw/",
        api.BatchLotteryDrawView.as_view(),
        name="batch-lottery-draw",
    ),
    *router.urls,
]
