"""Demo data for the shop (idempotent): a believable catalog, an order for a demo shopper, contests with winners."""

from __future__ import annotations

import uuid
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.models import Address
from demo.seeds import product_images
from shop import services
from shop.cart import CartLine
from shop.models import Brand, Category, Contest, ContestEntry, Product, ProductDescription, ProductStyle

DEMO_SHOPPER = "ada@example.com"
# Shoppers who read the shop in French and German (demo/seeds/accounts.py): one order each, placed from a page in
# their language, so its confirmation email is French or German. (shopper, product slug, style, quantity, carrier)
LANGUAGE_ORDERS = [
    ("camille@example.com", "merino-crew-neck", "Oat", 1, "dhl"),
    ("lena@example.com", "weekender-bag", "Tan", 1, "ups"),
]
DEMO_TOKENS = ("tok_test_visa_4242_demo0001", "tok_test_mastercard_4444_demo0002")  # test-processor tokens

BRANDS = {
    "Maison Verte": "Linen and cotton made in Portugal.",
    "Nordlys": "Wool knitwear from small Norwegian mills.",
    "Atelier Sable": "Leather goods, hand-stitched in Lyon.",
}
# The brands' words in French and German: each product's description in those languages (ProductDescription).
BRANDS_IN = {
    "fr": {
        "Maison Verte": "Lin et coton fabriqués au Portugal.",
        "Nordlys": "Maille en laine de petites filatures norvégiennes.",
        "Atelier Sable": "Maroquinerie cousue main à Lyon.",
    },
    "de": {
        "Maison Verte": "Leinen und Baumwolle, hergestellt in Portugal.",
        "Nordlys": "Strickwaren aus Wolle von kleinen norwegischen Spinnereien.",
        "Atelier Sable": "Lederwaren, handgenäht in Lyon.",
    },
}
BY = {"fr": "{name} par {brand}. {words}", "de": "{name} von {brand}. {words}"}
CATEGORIES = ["Shirts", "Knitwear", "Bags", "Accessories"]
PRODUCTS = [
    # name, brand, category, price, styles
    ("Linen shirt", "Maison Verte", "Shirts", "49.50", ["Sand", "White", "Sage"]),
    ("Oxford shirt", "Maison Verte", "Shirts", "55.00", ["Blue", "White"]),
    ("Camp-collar shirt", "Maison Verte", "Shirts", "59.00", ["Terracotta", "Navy"]),
    ("Merino crew neck", "Nordlys", "Knitwear", "89.00", ["Charcoal", "Oat", "Forest"]),
    ("Fisherman cardigan", "Nordlys", "Knitwear", "129.00", ["Ecru", "Navy"]),
    ("Lambswool beanie", "Nordlys", "Accessories", "29.00", ["Rust", "Grey"]),
    ("Ribbed scarf", "Nordlys", "Accessories", "39.00", ["Mustard", "Grey"]),
    ("Weekender bag", "Atelier Sable", "Bags", "189.00", ["Tan", "Black"]),
    ("Market tote", "Atelier Sable", "Bags", "79.00", ["Natural", "Cognac"]),
    ("Card holder", "Atelier Sable", "Accessories", "35.00", ["Tan", "Black", "Green"]),
    ("Belt", "Atelier Sable", "Accessories", "45.00", ["Brown", "Black"]),
    ("Cross-body bag", "Atelier Sable", "Bags", "129.00", ["Tan"]),
]


FEATURED = ["linen-shirt", "fisherman-cardigan", "weekender-bag", "ribbed-scarf"]  # the home page's "Featured"


def _slug(text: str) -> str:
    from django.utils.text import slugify

    return slugify(text)


def seed() -> list[str]:
    now = timezone.now()
    brands = {}
    for name, description in BRANDS.items():
        brands[name], _ = Brand.objects.get_or_create(
            slug=_slug(name),
            defaults={"name": name, "description": description, "is_published": True, "published_at": now},
        )
    categories = {}
    for name in CATEGORIES:
        categories[name], _ = Category.objects.get_or_create(slug=_slug(name), defaults={"name": name})
    for name, brand, category, price, styles in PRODUCTS:
        product, _ = Product.objects.get_or_create(
            slug=_slug(name),
            defaults={
                "name": name,
                "brand": brands[brand],
                "category": categories[category],
                "price": Decimal(price),
                "description": f"{name} by {brand}. {BRANDS[brand]}",
            },
        )
        for style in styles:
            ProductStyle.objects.get_or_create(
                product=product, name=style, defaults={"is_published": True, "published_at": now}
            )
        for language, words in BRANDS_IN.items():
            ProductDescription.objects.get_or_create(
                product=product,
                language=language,
                defaults={"description": BY[language].format(name=name, brand=brand, words=words[brand])},
            )
        product_images.add_photo(product, category=category, first_style=styles[0])
    Product.objects.filter(slug__in=FEATURED).update(is_featured=True)
    # An unpublished brand, for staff to publish (which queues a brand alert).
    Brand.objects.get_or_create(slug="kiri", defaults={"name": "Kiri", "description": "Japanese denim, coming soon."})
    lines = [f"Shop: {Product.objects.count()} products from {Brand.objects.count()} brands (Kiri awaits publishing)"]
    lines += _seed_order()
    lines += _seed_language_orders()
    lines += _seed_contests(now)
    return lines


def _seed_order() -> list[str]:
    user = get_user_model().objects.filter(email=DEMO_SHOPPER).first()
    if user is None:
        return []
    if user.orders.exists():
        return [f"Shop: {DEMO_SHOPPER} has {user.orders.count()} order(s)"]
    shipping = Address.objects.filter(user=user).first()
    if shipping is None:
        return []
    shirt = Product.objects.get(slug="linen-shirt")
    tote = Product.objects.get(slug="market-tote")
    cart_lines = [
        CartLine(key="demo1", product=shirt, style=shirt.styles.get(name="Sand"), quantity=2),
        CartLine(key="demo2", product=tote, style=tote.styles.get(name="Natural"), quantity=1),
    ]
    subtotal = sum((line.line_total for line in cart_lines), Decimal("0.00"))
    first = services.place_order(
        user=user,
        lines=cart_lines,
        shipping_address=shipping,
        billing_address=shipping,
        carrier="dhl",
        payment_token=DEMO_TOKENS[0],
        expected_total=subtotal + services.shipping_cost("dhl"),
        checkout_key=uuid.uuid4(),
    )
    services.ship_order(order=first, carrier="dhl", tracking_number="JD014600006281230001")
    second = services.place_order(
        user=user,
        lines=cart_lines[:1],
        shipping_address=shipping,
        billing_address=shipping,
        carrier="ups",
        payment_token=DEMO_TOKENS[1],
        expected_total=cart_lines[0].line_total + services.shipping_cost("ups"),
        checkout_key=uuid.uuid4(),
    )
    return [f"Shop: orders {first.number} (shipped) and {second.number} for {DEMO_SHOPPER}"]


def _seed_language_orders() -> list[str]:
    placed = []
    for email, slug, style, quantity, carrier in LANGUAGE_ORDERS:
        user = get_user_model().objects.filter(email=email).first()
        shipping = Address.objects.filter(user=user).first() if user is not None else None
        if shipping is None or user.orders.exists():
            continue
        product = Product.objects.get(slug=slug)
        lines = [CartLine(key="demo", product=product, style=product.styles.get(name=style), quantity=quantity)]
        subtotal = sum((line.line_total for line in lines), Decimal("0.00"))
        order = services.place_order(
            user=user,
            lines=lines,
            shipping_address=shipping,
            billing_address=shipping,
            carrier=carrier,
            payment_token=DEMO_TOKENS[0],
            expected_total=subtotal + services.shipping_cost(carrier),
            checkout_key=uuid.uuid4(),
            language=user.language,
        )
        placed.append(f"{order.number} for {email} ({user.language})")
    return [f"Shop: orders {', '.join(placed)}"] if placed else []


def _seed_contests(now) -> list[str]:
    past, created = Contest.objects.get_or_create(
        slug="autumn-knitwear-draw",
        defaults={
            "title": "Autumn knitwear draw",
            "prize": "A Nordlys fisherman cardigan",
            "description": "Three cardigans to win.",
            "starts_at": now - timedelta(days=30),
            "ends_at": now - timedelta(days=2),
            "winners_count": 3,
        },
    )
    if created:
        people = [
            ("Camille", "Nantes", True),
            ("Jonas", "Bergen", False),
            ("Priya", "Leeds", True),
            ("Marco", "Turin", True),
            ("Aiko", "Osaka", False),
        ]
        ContestEntry.objects.bulk_create(
            ContestEntry(contest=past, first_name=f, city=c, email=f"{f.lower()}@example.net", list_publicly=p)
            for f, c, p in people
        )
        services.draw_winners(contest=past)
    Contest.objects.get_or_create(
        slug="weekender-giveaway",
        defaults={
            "title": "Weekender giveaway",
            "prize": "An Atelier Sable weekender bag",
            "description": "One bag to win. Entering subscribes you to nothing.",
            "starts_at": now - timedelta(days=1),
            "ends_at": now + timedelta(days=20),
            "winners_count": 1,
        },
    )
    return ["Shop: contests at /shop/contests/ (one drawn, one open)"]
