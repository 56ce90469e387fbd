"""The admin site: signed in only through allauth (its rate limits and two-factor step apply), and closed to staff
who have no second factor yet (they are sent to set one up first)."""

from __future__ import annotations

from functools import wraps

from allauth.account.decorators import secure_admin_login
from allauth.mfa.utils import is_mfa_enabled
from django.contrib import admin, messages
from django.shortcuts import redirect


class ShopAdminSite(admin.AdminSite):
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
            return guarded(request, *args, **kwargs)

        return require_second_factor
