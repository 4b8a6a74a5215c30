"""Back-office corrections of articles. The text is sanitized whenever it is shown, so nothing
typed here reaches a page unsanitized."""

from __future__ import annotations

from django.contrib import admin
from django.db import models

from publicity.models import Article, ArticleImage


class ArticleImageInline(admin.TabularInline):
    model = ArticleImage
    extra = 0


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ["title", "kind", "org", "status", "published_at", "updated_at"]
    list_filter = ["kind", "status", "org"]
    search_fields = ["title", "summary"]
    filter_horizontal = ["itineraries"]
    # Publishing and withdrawing are the pages' (who and when are recorded there).
    readonly_fields = [
        "status",
        "created_by",
        "created_at",
        "updated_at",
        "published_at",
        "published_by",
        "withdrawn_at",
        "withdrawn_by",
    ]
    inlines = [ArticleImageInline]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    date_hierarchy = "published_at"
