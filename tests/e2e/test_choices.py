"""Every radio button and checkbox sits on the same line as its label, the label to its right (issue 15, item 2),
at 390 and 1280 px, on the pages that have them: sign-in ("Remember me"), checkout (addresses, carriers, saved
card), cookie settings, tailored advertising, the preference center, the address form."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.e2e.sign_in import log_in
from tests.factories import (
    AddressFactory,
    ProductFactory,
    SubscriberFactory,
    SubscriptionFactory,
    UserFactory,
    launch_topics,
)

# For each visible choice: the input's box and its label's first line (a Range over the label's text, so a label
# that wraps onto a second line is measured by the line that starts beside the input).
MEASURE = """() => [...document.querySelectorAll('input[type=radio], input[type=checkbox]')]
  .filter(input => input.offsetParent !== null)
  .map(input => {
    const label = input.closest('label') || (input.id && document.querySelector(`label[for="${input.id}"]`));
    if (!label) return {name: input.name, label: null};
    const box = input.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(label);
    const lines = [...range.getClientRects()].filter(r => r.width > 0 && r.height > 0 && r.right > box.right);
    const first = lines.length ? lines[0] : label.getBoundingClientRect();
    return {name: input.name + '=' + input.value, label: label.textContent.trim().slice(0, 40),
            inputTop: box.top, inputBottom: box.bottom, inputRight: box.right,
            lineTop: first.top, lineBottom: first.bottom, lineLeft: first.left};
  })"""


def assert_choices_sit_beside_their_labels(page, path: str) -> int:
    response = page.goto(path)
    assert response.status == 200, f"{path} answered {response.status}"
    choices = page.evaluate(MEASURE)
    for choice in choices:
        assert choice["label"], f"{path}: {choice['name']} has no label"
        middle = (choice["lineTop"] + choice["lineBottom"]) / 2
        assert choice["inputTop"] - 2 <= middle <= choice["inputBottom"] + 2, (
            f"{path}: '{choice['label']}' is not on its input's line: {choice}"
        )
        assert choice["lineLeft"] >= choice["inputRight"] - 1, f"{path}: '{choice['label']}' is not right of it"
    return len(choices)


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("width", [390, 1280])
def test_every_choice_sits_on_its_labels_line(browser, live_server, settings, width):
    settings.SITE_URL = live_server.url
    topics = launch_topics()
    shopper = UserFactory(email=f"choices-{width}@example.com")
    AddressFactory(user=shopper, kind="shipping")
    AddressFactory(user=shopper, kind="billing", line1="9 Avenue Foch")
    subscriber = SubscriberFactory(email=shopper.email, user=shopper)
    SubscriptionFactory(subscriber=subscriber, topic=topics["newsletter"])
    product = ProductFactory(name="Linen shirt", price=Decimal("49.50"))
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(15_000)

    counted = assert_choices_sit_beside_their_labels(page, "/accounts/login/")  # "Remember me"
    log_in(page, shopper.email)
    page.goto(product.get_absolute_url())
    page.get_by_role("button", name="Add to cart").click()
    for path in (
        "/shop/checkout/",
        "/privacy/cookies/",
        "/privacy/ad-sharing/",
        "/preferences/",
        "/accounts/addresses/new/",
    ):
        counted += assert_choices_sit_beside_their_labels(page, path)
    assert counted >= 12  # the pages above do have choices: a test that measured none would prove nothing
    context.close()
