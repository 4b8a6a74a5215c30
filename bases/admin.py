from __future__ import annotations

from django.contrib import admin

from bases.models import (
    AccreditationStep,
    Base,
    BasePhoto,
    Batch,
    Inspection,
    InspectionDraw,
    Itinerary,
    QualitySettings,
    Review,
    StarRating,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records of what happened: corrections go through the services, not the back office."""

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Base)
class BaseAdmin(admin.ModelAdmin):
    list_display = ["name", "county", "operator", "status", "stars", "service_score"]
    list_filter = ["status", "stars", "county"]
    search_fields = ["name", "address"]
    raw_id_fields = ["county", "operator"]
    # Status and stars move only through the lifecycle and rating services (audited).
    readonly_fields = ["status", "status_changed_at", "stars", "service_score", "watch_since"]


@admin.register(Itinerary)
class ItineraryAdmin(admin.ModelAdmin):
    list_display = ["title", "base", "days", "union_price_fen", "active"]
    list_filter = ["active", "days", "in_province"]
    search_fields = ["title", "base__name"]
    raw_id_fields = ["base"]


@admin.register(Batch)
class BatchAdmin(admin.ModelAdmin):
    list_display = ["itinerary", "start_date", "end_date", "capacity", "seats_held", "status"]
    list_filter = ["status"]
    date_hierarchy = "start_date"
    raw_id_fields = ["itinerary"]
    readonly_fields = ["seats_held"]


@admin.register(BasePhoto)
class BasePhotoAdmin(admin.ModelAdmin):
    list_display = ["base", "caption", "position"]
    raw_id_fields = ["base"]


@admin.register(Review)
class ReviewAdmin(ReadOnlyAdmin):
    list_display = ["base", "rating", "author", "application_ref", "created_at"]
    list_filter = ["rating"]


@admin.register(StarRating)
class StarRatingAdmin(ReadOnlyAdmin):
    list_display = ["base", "rated_on", "total", "stars"]


@admin.register(AccreditationStep)
class AccreditationStepAdmin(ReadOnlyAdmin):
    list_display = ["base", "from_status", "to_status", "by", "at"]
    list_filter = ["to_status"]


@admin.register(InspectionDraw)
class InspectionDrawAdmin(ReadOnlyAdmin):
    list_display = ["period", "seed", "sample_size", "drawn_at"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["base", "status", "inspected_on", "score", "rectification_deadline"]
    list_filter = ["status"]
    raw_id_fields = ["base", "draw"]


@admin.register(QualitySettings)
class QualitySettingsAdmin(admin.ModelAdmin):
    list_display = ["watch_threshold", "watch_period_days", "inspection_sample_size"]
