from allauth.account import admin as allauth_admin
from allauth.account.models import EmailAddress
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.utils.translation import gettext_lazy as _

from .models import Address, User


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


class UserCreationForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email",)


class UserEditForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    add_form = UserCreationForm
    form = UserEditForm
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "country", "age_band", "is_staff", "date_joined"]
    list_filter = ["age_band", "is_staff", "is_active", "country"]
    search_fields = ["email", "first_name", "last_name"]
    readonly_fields = [
        "age_band",
        "age_attested_at",
        "age_attestation_version",
        "language",
        "date_joined",
        "last_login",
    ]
    inlines = [AddressInline]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (_("Profile"), {"fields": ["first_name", "last_name", "phone", "country", "gender", "language"]}),
        (_("Age attestation"), {"fields": ["age_band", "age_attested_at", "age_attestation_version"]}),
        (_("Permissions"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Dates"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "usable_password", "password1", "password2"]})]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["user", "kind", "full_name", "city", "country", "is_default"]
    list_filter = ["kind", "country"]
    search_fields = ["user__email", "full_name", "city", "postal_code"]
    raw_id_fields = ["user"]


class EmailAddressAdmin(allauth_admin.EmailAddressAdmin):
    """allauth's screen, with its "Mark as verified" action limited to staff who may change addresses: verifying
    someone else's address is taking over the account it would confirm (issue 12, item 4)."""

    actions = ["make_verified"]

    @admin.action(description=allauth_admin.EmailAddressAdmin.make_verified.short_description, permissions=["change"])
    def make_verified(self, request, queryset) -> None:
        super().make_verified(request, queryset)


admin.site.unregister(EmailAddress)
admin.site.register(EmailAddress, EmailAddressAdmin)
