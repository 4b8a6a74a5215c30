"""Back office: the ledger is read-only here (corrections are new reversing transactions)."""

from __future__ import annotations

from django.contrib import admin

from funds.forms import PolicyForm
from funds.models import (
    Account,
    Entry,
    FiscalYear,
    Rollover,
    SubsidyPolicy,
    Transaction,
    UtilizationSnapshot,
)


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class EntryInline(admin.TabularInline):
    model = Entry
    fields = ["account", "amount"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Transaction)
class TransactionAdmin(ReadOnlyAdmin):
    list_display = [
        "pk",
        "kind",
        "year",
        "value_date",
        "cause_type",
        "cause_id",
        "actor",
        "created_at",
    ]
    list_filter = ["kind", "year", "cause_type"]
    search_fields = ["idempotency_key", "cause_id", "memo"]
    inlines = [EntryInline]


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["org", "year", "source", "bucket", "balance"]
    list_filter = ["year", "source", "bucket"]
    search_fields = ["org__code", "org__name"]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["pk", "transaction", "account", "amount", "kind"]
    list_filter = ["kind"]


@admin.register(Rollover)
class RolloverAdmin(ReadOnlyAdmin):
    list_display = ["account", "amount", "transaction", "created_at"]


@admin.register(FiscalYear)
class FiscalYearAdmin(ReadOnlyAdmin):
    list_display = ["year", "closed_at", "closed_by", "rollover_finished_at"]


@admin.register(UtilizationSnapshot)
class UtilizationSnapshotAdmin(ReadOnlyAdmin):
    list_display = ["day", "org", "year", "spent", "projected_rate", "target_rate", "warning"]
    list_filter = ["warning", "year"]


@admin.register(SubsidyPolicy)
class SubsidyPolicyAdmin(admin.ModelAdmin):
    form = PolicyForm  # money in yuan here too
    list_display = ["year", "title", "utilization_target_percent", "updated_at"]
