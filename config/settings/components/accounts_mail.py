import json
import os
from pathlib import Path

# django-allauth: email is the login, verification is mandatory, nobody learns whether an address is known.
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_FORMS = {"signup": "accounts.forms.SignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_UNIQUE_EMAIL = True
# One address per account; a new one replaces it only once its owner confirmed it (no squatting on others').
ACCOUNT_CHANGE_EMAIL = True
# Password changed, email changed, a sign-in method added or removed: the account's owner hears of it.
ACCOUNT_EMAIL_NOTIFICATIONS = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = ""
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if HTTPS else "http"
# Failed sign-ins count per IP and per (IP, account) (accounts.adapter keys them so): nobody can lock an owner out
# from elsewhere. Every IP is hashed before it becomes a cache key (accounts/rate_limits.py).
ACCOUNT_RATE_LIMITS = {
    "signup": "20/m/ip",
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_email": "5/m/ip",
    "confirm_email": "1/3m/key",
}

# Two-factor sign-in (allauth.mfa): TOTP apps, WebAuthn security keys and passkeys, recovery codes. Staff need one
# before any admin page opens (config/admin.py).
MFA_SUPPORTED_TYPES = ["totp", "webauthn", "recovery_codes"]
MFA_PASSKEY_LOGIN_ENABLED = True
MFA_TOTP_ISSUER = env("SHOP_NAME", default="Example Shop")
# WebAuthn needs a secure origin; plain http is accepted only for local runs (SITE_URL not https).
MFA_WEBAUTHN_ALLOW_INSECURE_ORIGIN = not HTTPS
# allauth.usersessions: shoppers see their signed-in browsers and end the others (the list keeps IP and browser).
USERSESSIONS_TRACK_ACTIVITY = False

# Mail. Unset: Django's SMTP backend (EMAIL_HOST, EMAIL_PORT...); production sets an anymail ESP backend. In demo
# mode every email lands as a file under var/mail/ instead, listed by the demo mailbox.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    default="demo.mailbox.FileMailboxBackend" if DEMO else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("EMAIL_PORT", default=25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("EMAIL_USE_TLS", default=False)
MAILBOX_DIR = Path(env("MAILBOX_DIR", default=str(VAR_DIR / "mail")))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="Example Shop <shop@example.com>")
SERVER_EMAIL = env("SERVER_EMAIL", default=DEFAULT_FROM_EMAIL)
# Every ANYMAIL_* variable goes into anymail's settings, e.g. ANYMAIL_POSTMARK_SERVER_TOKEN.
# *_PARAMS and REQUESTS_TIMEOUT values are JSON: ANYMAIL_AMAZON_SES_CLIENT_PARAMS={"region_name": …}.
ANYMAIL = {
    key.removeprefix("ANYMAIL_"): json.loads(value) if key.endswith(("_PARAMS", "REQUESTS_TIMEOUT")) else value
    for key, value in os.environ.items()
    if key.startswith("ANYMAIL_")
}
