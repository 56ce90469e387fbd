"""Data-subject rights, one module per feature; import them from here (`from privacy import data_rights`).

Each app above privacy contributes its export sections, erasers and audit checks through privacy.registry; privacy
never imports them. requests: DataRequest bookkeeping · export: "Download my data" · erasure: "Delete my account" ·
policy: policy versions and their acknowledgement · audit: privacy_audit and its weekly report.
"""

from .audit import (
    PRIVACY_OFFICER_GROUP,
    Finding,
    access_logs_past_retention,
    disclosures_without_purpose,
    erased_addresses_in_clear,
    erased_people_with_clear_data,
    run_audit,
    send_audit_report,
)
from .display import display_sections, display_tree
from .erasure import erase_person, erase_privacy_data, erased_user_ids, privacy_leftover
from .export import (
    EXPORT_FORMAT,
    EXPORT_FORMAT_VERSION,
    build_data_export,
    build_export_payload,
    export_access_logs,
    export_consent_history,
    export_data_requests,
    export_disclosures,
    export_privacy_settings,
    jsonable,
    purge_expired_exports,
    request_export,
)
from .guests import build_guest_export, erase_guest, run_guest_export
from .person import Person, account_for_email, account_of, guest_subject
from .policy import acknowledge_policy, material_policy_in_force, needs_policy_review
from .requests import (
    AlreadyErased,
    ErasureNotAllowed,
    any_email_of,
    erased_email,
    is_erased_email,
    open_request,
    person_emails,
    retention_period,
)

__all__ = [
    "EXPORT_FORMAT",
    "EXPORT_FORMAT_VERSION",
    "PRIVACY_OFFICER_GROUP",
    "AlreadyErased",
    "ErasureNotAllowed",
    "Finding",
    "Person",
    "access_logs_past_retention",
    "account_for_email",
    "account_of",
    "acknowledge_policy",
    "any_email_of",
    "build_data_export",
    "build_export_payload",
    "build_guest_export",
    "disclosures_without_purpose",
    "display_sections",
    "display_tree",
    "erase_guest",
    "erase_person",
    "erase_privacy_data",
    "erased_addresses_in_clear",
    "erased_email",
    "erased_people_with_clear_data",
    "erased_user_ids",
    "export_access_logs",
    "export_consent_history",
    "export_data_requests",
    "export_disclosures",
    "export_privacy_settings",
    "guest_subject",
    "is_erased_email",
    "jsonable",
    "material_policy_in_force",
    "needs_policy_review",
    "open_request",
    "person_emails",
    "privacy_leftover",
    "purge_expired_exports",
    "request_export",
    "retention_period",
    "run_audit",
    "run_guest_export",
    "send_audit_report",
]
