"""API routes of this app, mounted under /api/v1/: articles/."""

from __future__ import annotations

from rest_framework.routers import SimpleRouter

from publicity.api import ArticleViewSet

router = SimpleRouter()
router.register("articles", ArticleViewSet, basename="article")

urlpatterns = router.urls
