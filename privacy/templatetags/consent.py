"""Template tags that keep optional cookies and third-party tags out of a page until the shopper allows them.

    {% load consent %}
    {% consent_gate "analytics" %}<script src="..."></script>{% end_consent_gate %}
    {% cookie_choice as choice %}{% if choice.chosen %}...{% endif %}
    {% consent_tags %}  (the configured third-party scripts, each rendered only with consent for its category)

Without a request in the context (an email, a cached fragment) the gate stays closed.
"""

from __future__ import annotations

from django import template

from .. import content_security
from ..app_settings import app_settings
from ..cookies import CookieCategory, CookieChoice
from ..selectors import effective_choice

register = template.Library()


def _choice(context) -> CookieChoice:
    request = context.get("request")
    if request is None:
        return CookieChoice()
    return effective_choice(request)


@register.simple_tag(takes_context=True)
def cookie_choice(context) -> CookieChoice:
    return _choice(context)


class ConsentGateNode(template.Node):
    def __init__(self, category: template.base.FilterExpression, nodelist: template.NodeList):
        self.category = category
        self.nodelist = nodelist

    def render(self, context) -> str:
        category = self.category.resolve(context)
        if category not in CookieCategory.values or not _choice(context).allows(category):
            return ""  # an unknown category (from a variable) fails closed
        return self.nodelist.render(context)


@register.tag
def consent_gate(parser, token):
    """{% consent_gate "category" %}...{% end_consent_gate %}: the content only with consent for the category."""
    bits = token.split_contents()
    if len(bits) != 2:
        raise template.TemplateSyntaxError(f"{bits[0]} takes one argument: a cookie category")
    literal = bits[1]
    if literal[:1] in {'"', "'"} and literal[1:-1] not in CookieCategory.values:
        raise template.TemplateSyntaxError(
            f"{bits[0]}: unknown cookie category {literal}; use one of {', '.join(CookieCategory.values)}"
        )
    nodelist = parser.parse(("end_consent_gate",))
    parser.delete_first_token()
    return ConsentGateNode(parser.compile_filter(literal), nodelist)


@register.inclusion_tag("privacy/_consent_tags.html", takes_context=True)
def consent_tags(context) -> dict:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if match is None or match.view_name not in app_settings.TAG_PAGES:
        return {"tag_urls": []}  # only allow-listed catalogue and content pages ever run a third-party tag
    choice = _choice(context)
    urls = [
        url
        for category, category_urls in app_settings.THIRD_PARTY_TAGS.items()
        if choice.allows(category)
        for url in category_urls
    ]
    for url in urls:
        content_security.allow_tag(request, url)
    return {"tag_urls": urls}


@register.filter
def consent_purpose(purpose: str) -> str:
    """A ConsentEvent purpose in words: "cookies:analytics" -> "Analytics cookies" (privacy.wording)."""
    from ..wording import consent_purpose as words

    return words(purpose)
