"""The read-only admin, written once: ledgers and evidence that staff read but never add, edit or delete."""

from django.contrib import admin


class ReadOnlyLedgerAdmin(admin.ModelAdmin):
    """Ledgers are evidence: staff read them, nobody edits or deletes them from the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class ReadOnlyInline(admin.TabularInline):
    """Rows shown on their parent's page, never added, edited or deleted there."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
