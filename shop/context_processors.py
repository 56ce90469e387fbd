from django.http import HttpRequest

from .cart import Cart


def cart(request: HttpRequest) -> dict:
    """The number of items in the cart, for the header's cart link (read from the session: no query)."""
    return {"cart_count": len(Cart(request.session)) if hasattr(request, "session") else 0}
