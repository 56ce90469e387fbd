from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField
from phonenumber_field.modelfields import PhoneNumberField


class AgeBand(models.TextChoices):
    """What the age screen concluded. The date of birth itself is never stored."""

    ADULT = "adult", _("18 or over")
    TEEN_SUPERVISED = "teen_supervised", _("13 to 17, supervised by a parent or guardian")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    NON_BINARY = "non_binary", _("Non-binary")
    SELF_DESCRIBED = "other", _("Another gender")
    PREFER_NOT = "prefer_not", _("Prefer not to say")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_staff", False)
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra.update(is_staff=True, is_superuser=True)
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, email: str):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    first_name = models.CharField(_("first name"), max_length=80, blank=True)
    last_name = models.CharField(_("last name"), max_length=80, blank=True)
    phone = PhoneNumberField(_("phone"), blank=True, help_text=_("Stored in E.164 form."))
    country = CountryField(_("country of residence"), blank=True)
    gender = models.CharField(_("gender"), max_length=16, choices=Gender.choices, blank=True)
    age_band = models.CharField(_("age band"), max_length=16, choices=AgeBand.choices, blank=True)
    age_attested_at = models.DateTimeField(_("age attested at"), null=True, blank=True)
    age_attestation_version = models.CharField(_("age attestation version"), max_length=32, blank=True)
    # One of settings.LANGUAGES (checked by the forms that set it); empty: not chosen, the shop's default applies.
    language = models.CharField(
        _("language"),
        max_length=16,
        blank=True,
        db_default="",
        help_text=_("The language of this person's pages and emails."),
    )
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.UniqueConstraint(Lower("email"), name="accounts_user_email_ci_unique"),
            models.CheckConstraint(
                condition=models.Q(age_band="") | models.Q(age_attested_at__isnull=False),
                name="accounts_user_age_band_has_attestation_time",
            ),
        ]

    def __str__(self) -> str:
        return self.email

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name


class Address(models.Model):
    class Kind(models.TextChoices):
        SHIPPING = "shipping", _("Shipping")
        BILLING = "billing", _("Billing")

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="addresses", verbose_name=_("user")
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    full_name = models.CharField(_("full name"), max_length=160)
    line1 = models.CharField(_("address line 1"), max_length=200)
    line2 = models.CharField(_("address line 2"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100)
    region = models.CharField(_("state / region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20)
    country = CountryField(_("country"))
    phone = PhoneNumberField(_("phone"), blank=True)
    is_default = models.BooleanField(_("default"), default=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-is_default", "-created_at"]
        verbose_name = _("address")
        verbose_name_plural = _("addresses")
        constraints = [
            models.UniqueConstraint(
                fields=["user", "kind"],
                condition=models.Q(is_default=True),
                name="accounts_one_default_address_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"{self.full_name}, {self.line1}, {self.postal_code} {self.city}, {self.country.code}"

    def as_lines(self) -> list[str]:
        lines = [
            self.full_name,
            self.line1,
            self.line2,
            f"{self.postal_code} {self.city}".strip(),
            self.region,
        ]
        lines.append(self.country.name)
        return [line for line in lines if line]


class ConfirmedEmail(models.Model):
    """Every address this account has confirmed (allauth's link), kept while the account exists: after a change of
    address, "download my data" and "delete my account" still find what was written under the older ones."""

    user = models.ForeignKey(
        "accounts.User", on_delete=models.CASCADE, related_name="confirmed_emails", verbose_name=_("user")
    )
    email = models.EmailField(_("email address"), max_length=254)
    confirmed_at = models.DateTimeField(_("confirmed at"), default=timezone.now)

    class Meta:
        verbose_name = _("confirmed email address")
        verbose_name_plural = _("confirmed email addresses")
        ordering = ["confirmed_at", "id"]
        constraints = [
            models.UniqueConstraint("user", Lower("email"), name="accounts_confirmed_email_once_per_account")
        ]

    def __str__(self) -> str:
        return f"Address confirmed by user {self.user_id}"
