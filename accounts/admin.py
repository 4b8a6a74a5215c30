from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.utils.translation import gettext_lazy as _

from accounts.models import Organization, User, Worker


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    list_display = ["code", "name", "kind", "parent", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["code", "name"]
    raw_id_fields = ["parent"]
    readonly_fields = ["path", "depth"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "role", "org", "is_active", "is_staff"]
    list_filter = ["role", "is_active", "is_staff", "is_superuser"]
    search_fields = ["username", "full_name", "email"]
    raw_id_fields = ["org"]
    fieldsets = (
        *BaseUserAdmin.fieldsets,
        (_("Role in the portal"), {"fields": ("full_name", "role", "org")}),
    )


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = [
        "real_name",
        "union",
        "category",
        "birth_date",
        "in_good_standing",
        "masked_id_number",
        "masked_phone",
    ]
    list_filter = ["category", "in_good_standing", "hazardous_job", "hardship", "near_retirement"]
    search_fields = ["real_name", "user__username"]
    raw_id_fields = ["user", "union"]

    @admin.display(description=_("ID card number"))
    def masked_id_number(self, obj: Worker) -> str:
        return obj.masked_id_number

    @admin.display(description=_("mobile phone"))
    def masked_phone(self, obj: Worker) -> str:
        return obj.masked_phone
