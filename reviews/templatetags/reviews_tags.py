from django import template

register = template.Library()


@register.filter
def stars(rating: float | int | None) -> str:
    """★★★★☆ for a rating of 4 (rounded); the page states the number too, for screen readers and precision."""
    filled = max(0, min(5, round(rating or 0)))
    return "★" * filled + "☆" * (5 - filled)
