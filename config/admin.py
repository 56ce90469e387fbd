"""The admin site: signed in only through allauth (its rate limits and two-factor step apply), and closed to staff
who have no second factor yet (they are sent to set one up first). Its home is the staff dashboard (to-dos and
charts, config.dashboard); Celery beat's internal models and Sites are for superusers only (SUPERUSER_ONLY_APPS)."""

from __future__ import annotations

from functools import wraps

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import admin, messages
from django.db.models.base import ModelBase
from django.shortcuts import redirect
from django.utils import timezone

# Plumbing the shop's staff groups never need: beat's schedules (kept by each app's schedule.py) and the Sites row.
SUPERUSER_ONLY_APPS = {"django_celery_beat", "sites"}


class SuperuserOnlyAdmin:
    """Mixed into the ModelAdmin of a SUPERUSER_ONLY_APPS model: hidden from the index and closed to other staff,
    whatever permissions a group holds."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_active and request.user.is_superuser and super().has_add_permission(request, *args)

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_active and request.user.is_superuser


class ShopAdminSite(admin.AdminSite):
    index_template = "admin/shop_index.html"

    def register(self, model_or_iterable, admin_class=None, **options):
        models = [model_or_iterable] if isinstance(model_or_iterable, ModelBase) else list(model_or_iterable)
        for model in models:
            model_admin = admin_class or admin.ModelAdmin
            if model._meta.app_label in SUPERUSER_ONLY_APPS:
                model_admin = type(model_admin.__name__, (SuperuserOnlyAdmin, model_admin), {})
            super().register(model, model_admin, **options)

    def index(self, request, extra_context=None):
        from .dashboard import dashboard_context

        return super().index(request, {**dashboard_context(request), **(extra_context or {})})

    def login(self, request, extra_context=None):
        """Django's admin login form has no rate limit and no second factor: allauth's sign-in replaces it."""
        return secure_admin_login(super().login)(request, extra_context)

    def admin_view(self, view, cacheable=False):
        guarded = super().admin_view(view, cacheable)

        @wraps(view)
        def require_second_factor(request, *args, **kwargs):
            user = request.user
            if user.is_active and user.is_staff and not is_mfa_enabled(user):
                messages.warning(request, "Staff need two-factor authentication: set it up to open the admin.")
                return redirect("mfa_index")
            # Every time the admin shows or reads (slots, due dates, logs) is in the shop's time zone, rendered
            # here so that a TemplateResponse is rendered while that zone is active.
            with timezone.override(settings.SHOP_TIME_ZONE):
                response = guarded(request, *args, **kwargs)
                if callable(getattr(response, "render", None)) and not getattr(response, "is_rendered", True):
                    response.render()
            return response

        return require_second_factor
