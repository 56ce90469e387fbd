"""Issue 12, item 12: a double-click on "Delete my account" answered the second click with a 500 (AlreadyErased).

Attack (or accident): two POSTs of the delete form from the same signed-in session at the same moment. Both pass
the password check before either erases; the second must get the "done" page too, and the person is erased once.
"""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from privacy.models import DataRequest
from tests.factories import PASSWORD, UserFactory


@pytest.mark.django_db(transaction=True)
def test_a_double_clicked_delete_button_erases_once_and_both_clicks_get_the_done_page(simultaneously):
    user = UserFactory(email="double@example.com")
    browser = Client()
    browser.force_login(user)
    session_cookie = browser.cookies

    def click():
        tab = Client()
        tab.cookies = session_cookie  # the same session: one browser, two clicks
        return tab.post(reverse("privacy:delete"), {"password": PASSWORD, "confirm": "on"})

    first, second = simultaneously(lambda: get_user_model().objects.select_for_update().get(pk=user.pk), click, click)

    assert [first.status_code, second.status_code] == [302, 302]
    assert first["Location"] == second["Location"] == reverse("privacy:deleted")
    assert Client().get(reverse("privacy:deleted")).status_code == 200
    user.refresh_from_db()
    assert not user.is_active
    assert DataRequest.objects.filter(user=user, kind="erasure", status="completed").count() == 1
