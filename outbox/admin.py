from django.contrib import admin

from .models import OutboxTask


@admin.register(OutboxTask)
class OutboxTaskAdmin(admin.ModelAdmin):
    list_display = ["task", "args", "created_at", "published_at", "attempts"]
    list_filter = ["task", ("published_at", admin.EmptyFieldListFilter)]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
