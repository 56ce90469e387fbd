"""Issue 16: a person walks the privacy pages in French and in German and finds them in that language."""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import timezone
from playwright.sync_api import expect

from privacy import services
from privacy.models import PolicyText, PolicyVersion
from tests.e2e.sign_in import log_in
from tests.factories import UserFactory
from tests.privacy.test_languages import PAGES, english_sentences

WALK = ["/privacy/", "/privacy/cookies/", "/privacy/ad-sharing/", "/privacy/policy/", "/privacy/export/"]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("language", ["fr", "de"])
def test_the_privacy_pages_read_in_french_and_german(page, live_server, axe_check, language):
    version = PolicyVersion.objects.create(
        version="1", body="We keep your data safe.", effective_at=timezone.now() - datetime.timedelta(days=1)
    )
    PolicyText.objects.create(
        policy_version=version, language="fr", title="Politique de confidentialité", body="Nous protégeons vos données."
    )
    user = UserFactory(email="camille@example.org")
    services.save_cookie_choice(user=user, categories=["analytics"])
    log_in(page, "camille@example.org")
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": language, "url": live_server.url}])
    for path in WALK:
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", language)
        expect(page.locator("main h1")).to_have_text(PAGES[language][path])
        text = page.locator("main").inner_text()
        left = sorted(sentence for sentence in english_sentences(language) if sentence in text)
        assert not left, f"{path} in {language}: {left}"
    page.goto("/privacy/policy/")
    body = page.locator(".policy-body")
    expect(body).to_have_attribute("lang", language if language == "fr" else "en")  # German falls back, marked
    axe_check(page)
