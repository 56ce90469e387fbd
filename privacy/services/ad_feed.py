"""The ad partner's audience feed: keyed hashes of consenting shoppers' addresses, each export a Disclosure."""

from __future__ import annotations

import csv
import hashlib
import hmac
import itertools
from typing import TYPE_CHECKING, TextIO

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from .. import registry
from ..app_settings import app_settings
from ..models import Disclosure
from ..subjects import normalise_email
from .ledger import record_bulk_disclosure

if TYPE_CHECKING:
    pass


def ad_partner_hash(email: str) -> str:
    """Keyed SHA-256 (HMAC) of the normalised address: the partner can match it only against addresses it
    already holds, and nobody without the key can build a lookup table."""
    normalised = normalise_email(email)
    return hmac.new(app_settings.AD_FEED_HASH_KEY.encode(), normalised.encode(), hashlib.sha256).hexdigest()


AD_FEED_PURPOSE = gettext_noop("Tailored advertising: audience matching")  # stored in English; pages translate it


AD_FEED_DATA_CATEGORIES = [gettext_noop("email address (keyed hash)")]


@transaction.atomic
def export_ad_partner_feed(*, out: TextIO, reference: str = "") -> int:
    """Write the ad-partner feed as CSV (a header, then one keyed email hash per line) for everyone
    selectors.ad_feed_audience() allows, and record one Disclosure per person in the same transaction.
    Never a clear email, name, address or phone. Returns the number of people in the feed."""
    from ..selectors import ad_feed_audience

    reference = reference or f"ad-feed:{timezone.now():%Y%m%dT%H%M%S}"
    columns = registry.ad_feed_columns()
    writer = csv.writer(out)
    writer.writerow(["email_sha256", *(column.name for column in columns)])
    user_ids: list[int] = []
    rows = ad_feed_audience().values_list("pk", "email").iterator(chunk_size=2000)
    while chunk := list(itertools.islice(rows, 2000)):
        ids = [user_id for user_id, _ in chunk]
        extra = [column.values(ids) for column in columns]
        for user_id, email in chunk:
            writer.writerow([ad_partner_hash(email), *(values.get(user_id, "") for values in extra)])
        user_ids.extend(ids)
    record_bulk_disclosure(
        recipient_kind=Disclosure.RecipientKind.AD_PARTNER,
        recipient_name=app_settings.AD_PARTNER_NAME,
        purpose=AD_FEED_PURPOSE,
        data_categories=[*AD_FEED_DATA_CATEGORIES, *(column.data_category for column in columns)],
        user_ids=user_ids,
        reference=reference,
    )
    return len(user_ids)
