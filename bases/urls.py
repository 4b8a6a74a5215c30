from __future__ import annotations

from django.urls import path

from bases import views

app_name = "bases"
urlpatterns = [
    # Public: bases and the public notice (no login). The itinerary catalogue, the itinerary
    # pages and the comparison share this prefix but are the portal's (portal.catalogue.urls):
    # they price each trip for the worker looking at it.
    path("all/", views.base_list, name="base_list"),
    path("notice/", views.notice, name="notice"),
    path("<int:pk>/", views.base_detail, name="base_detail"),
    # Management: staff, auditors and base operators, each within their scope.
    path("manage/", views.manage, name="manage"),
    path("manage/apply/", views.base_apply, name="base_apply"),
    path("manage/<int:pk>/", views.base_manage, name="base_manage"),
    path("manage/<int:pk>/edit/", views.base_edit, name="base_edit"),
    path("manage/<int:pk>/transition/", views.base_transition, name="base_transition"),
    path("manage/<int:pk>/photos/", views.base_photos, name="base_photos"),
    path("manage/photos/<int:pk>/delete/", views.photo_delete, name="photo_delete"),
    path("manage/<int:pk>/rating/", views.rating_new, name="rating_new"),
    path("manage/<int:pk>/itineraries/new/", views.itinerary_new, name="itinerary_new"),
    path("manage/<int:pk>/inspections/new/", views.inspection_new, name="inspection_new"),
    path("manage/itineraries/<int:pk>/", views.batches, name="batches"),
    path("manage/itineraries/<int:pk>/edit/", views.itinerary_edit, name="itinerary_edit"),
    path("manage/batches/<int:pk>/edit/", views.batch_edit, name="batch_edit"),
    path("manage/batches/<int:pk>/close/", views.batch_close, name="batch_close"),
    path("manage/batches/<int:pk>/reopen/", views.batch_reopen, name="batch_reopen"),
    path("manage/accreditation/", views.accreditation, name="accreditation"),
    path("manage/ratings/", views.ratings, name="ratings"),
    path("manage/inspections/", views.inspections, name="inspections"),
    path("manage/inspections/draw/", views.inspection_draw, name="inspection_draw"),
    path("manage/inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("manage/watch/", views.watch_list, name="watch_list"),
    path("manage/watch/run/", views.watch_list_run, name="watch_list_run"),
    path("manage/settings/", views.quality_settings, name="quality_settings"),
]
