"""Settings, read from the environment (django-environ). Every variable and its default is listed in the README.

One settings namespace, written as a few files by subject: django-split-settings runs the components below in order
in this module's namespace, exactly as if they were one file (a later one may read or extend what an earlier one set).
"""

from split_settings.tools import include

include(
    "components/base.py",  # environment, apps, middleware, templates, database, cache, passwords
    "components/accounts_mail.py",  # django-allauth, two-factor sign-in, email and anymail
    "components/celery_time_security.py",  # Celery, time and date formats, static files, security headers, CSP
    "components/apps.py",  # the shop's identity and the reusable apps' settings
    "components/operations.py",  # logging, health, metrics, brokers, PgBouncer
)
