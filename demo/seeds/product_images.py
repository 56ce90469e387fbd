"""Product photos for the demo, drawn locally at seed time with Pillow (no download, no third-party origin):
a garment or bag silhouette in the product's first style's colour on a soft background, 960x720 px."""

from __future__ import annotations

import hashlib
import io

from django.core.files.base import ContentFile
from PIL import Image, ImageDraw

from shop.images import make_renditions

SIZE = (960, 720)
COLOURS = {
    "sand": (214, 192, 155), "white": (240, 238, 232), "sage": (156, 175, 136), "blue": (93, 130, 180),
    "terracotta": (196, 110, 80), "navy": (40, 52, 88), "charcoal": (64, 64, 68), "oat": (222, 210, 186),
    "forest": (46, 92, 62), "ecru": (232, 224, 204), "rust": (170, 80, 48), "grey": (150, 150, 154),
    "mustard": (214, 168, 52), "tan": (196, 148, 96), "black": (36, 36, 38), "natural": (226, 214, 188),
    "cognac": (154, 84, 40), "green": (60, 120, 80), "brown": (110, 72, 44),
}  # fmt: skip


def _background(seed: str) -> tuple[int, int, int]:
    digest = hashlib.sha256(seed.encode()).digest()
    return tuple(236 + b % 16 for b in digest[:3])


def draw(category: str, colour_name: str, seed: str) -> bytes:
    colour = COLOURS.get(colour_name.lower(), (120, 120, 124))
    image = Image.new("RGB", SIZE, _background(seed))
    pen = ImageDraw.Draw(image)
    cx, cy = SIZE[0] // 2, SIZE[1] // 2
    if category in {"Shirts", "Knitwear"}:
        body = [(cx - 170, cy - 200), (cx - 60, cy - 230), (cx, cy - 190), (cx + 60, cy - 230), (cx + 170, cy - 200),
                (cx + 300, cy - 60), (cx + 230, cy), (cx + 170, cy - 60), (cx + 170, cy + 240),
                (cx - 170, cy + 240), (cx - 170, cy - 60), (cx - 230, cy), (cx - 300, cy - 60)]  # fmt: skip
        pen.polygon(body, fill=colour)
        pen.line([(cx, cy - 190), (cx, cy + 240)], fill=tuple(max(c - 30, 0) for c in colour), width=4)
    elif category == "Bags":
        pen.rounded_rectangle([cx - 230, cy - 120, cx + 230, cy + 220], radius=36, fill=colour)
        pen.arc([cx - 130, cy - 280, cx + 130, cy - 20], start=180, end=360, fill=colour, width=22)
    else:
        pen.rounded_rectangle([cx - 200, cy - 130, cx + 200, cy + 130], radius=60, fill=colour)
        pen.ellipse([cx - 40, cy - 40, cx + 40, cy + 40], fill=_background(seed))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def add_photo(product, *, category: str, first_style: str) -> bool:
    """Give the product a drawn photo and its renditions, once (a product with a photo keeps it)."""
    if product.image:
        return False
    product.image.save(f"{product.slug}.jpg", ContentFile(draw(category, first_style, product.slug)), save=False)
    product.image_alt = f"{product.name} in {first_style.lower()}, drawn for the demo"
    product.save(update_fields=["image", "image_width", "image_height", "image_alt"])
    make_renditions(product)
    return True
