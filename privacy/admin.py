from django.contrib import admin

from .models import AccessLog, ConsentEvent, Disclosure, PolicyVersion, PrivacySettings


class ReadOnlyLedgerAdmin(admin.ModelAdmin):
    """Ledgers are evidence: staff read them, nobody edits or deletes them from the admin."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(ConsentEvent)
class ConsentEventAdmin(ReadOnlyLedgerAdmin):
    list_display = [
        "created_at",
        "subject",
        "purpose",
        "action",
        "value",
        "method",
        "double_opt_in",
        "policy_version",
    ]
    list_filter = ["action", "method", "double_opt_in"]
    search_fields = ["subject", "purpose"]
    date_hierarchy = "created_at"


@admin.register(Disclosure)
class DisclosureAdmin(ReadOnlyLedgerAdmin):
    list_display = ["created_at", "recipient_kind", "recipient_name", "purpose", "reference", "subject"]
    list_filter = ["recipient_kind"]
    search_fields = ["subject", "reference", "recipient_name"]
    date_hierarchy = "created_at"


@admin.register(PolicyVersion)
class PolicyVersionAdmin(admin.ModelAdmin):
    list_display = ["version", "title", "effective_at", "is_material"]


@admin.register(PrivacySettings)
class PrivacySettingsAdmin(ReadOnlyLedgerAdmin):
    """Current state only; changes are made by the shopper (each one ledgered), never edited here."""

    list_display = [
        "user",
        "cookies_chosen_at",
        "preferences_cookies",
        "analytics_cookies",
        "advertising_cookies",
        "ad_sharing_opted_out",
        "gpc_recorded_at",
    ]
    list_filter = ["advertising_cookies", "ad_sharing_opted_out", "analytics_cookies"]
    list_select_related = ["user"]
    search_fields = ["user__email"]


@admin.register(AccessLog)
class AccessLogAdmin(ReadOnlyLedgerAdmin):
    list_display = ["created_at", "user", "method", "path", "status", "ip_prefix"]
    list_filter = ["method", "status"]
    list_select_related = ["user"]
    search_fields = ["path"]
    raw_id_fields = ["user"]
    date_hierarchy = "created_at"
    show_full_result_count = False
