"""Privacy's models, one module per feature; everything is imported from here (`from privacy.models import ...`)."""

from .access_log import AccessLog
from .choices import PrivacySettings
from .ledger import ConsentEvent, Disclosure
from .policy import PolicyText, PolicyVersion
from .requests import DataExport, DataRequest, GuestLink, _due_in_30_days  # migration 0007 names _due_in_30_days here

__all__ = [
    "AccessLog",
    "ConsentEvent",
    "DataExport",
    "DataRequest",
    "Disclosure",
    "GuestLink",
    "PolicyText",
    "PolicyVersion",
    "PrivacySettings",
    "_due_in_30_days",
]
