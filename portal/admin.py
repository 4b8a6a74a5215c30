from django.contrib import admin

from portal.models import BaseLocation, OrgLocation


@admin.register(OrgLocation)
class OrgLocationAdmin(admin.ModelAdmin):
    list_display = ["org", "latitude", "longitude"]
    search_fields = ["org__name", "org__code"]
    raw_id_fields = ["org"]


@admin.register(BaseLocation)
class BaseLocationAdmin(admin.ModelAdmin):
    list_display = ["base", "latitude", "longitude"]
    search_fields = ["base__name"]
    raw_id_fields = ["base"]
