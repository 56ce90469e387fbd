"""privacy's writes, one module per feature; import them from here (`from privacy import services`).

ledger: record_consent and record_disclosure, which every app writes through · choices: cookie choices, GPC,
ad-partner sharing · ad_feed: the ad partner's hashed audience feed · access_log: the access log and its retention.
"""

from .access_log import log_access, log_event, purge_access_logs, redact_path, stop_logging_request
from .ad_feed import AD_FEED_DATA_CATEGORIES, AD_FEED_PURPOSE, ad_partner_hash, export_ad_partner_feed
from .choices import record_gpc_signal, save_cookie_choice, set_ad_sharing
from .ledger import (
    current_policy_version,
    record_bulk_disclosure,
    record_consent,
    record_consent_on_update,
    record_disclosure,
    truncate_ip,
)

__all__ = [
    "AD_FEED_DATA_CATEGORIES",
    "AD_FEED_PURPOSE",
    "ad_partner_hash",
    "current_policy_version",
    "export_ad_partner_feed",
    "log_access",
    "log_event",
    "purge_access_logs",
    "record_bulk_disclosure",
    "record_consent",
    "record_consent_on_update",
    "record_disclosure",
    "record_gpc_signal",
    "redact_path",
    "save_cookie_choice",
    "set_ad_sharing",
    "stop_logging_request",
    "truncate_ip",
]
