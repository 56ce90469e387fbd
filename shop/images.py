"""Product images at the sizes pages ask for: each uploaded image gets JPEG renditions 320, 640 and 960 px wide
(never wider than the original), written next to it once and reused; pages list them in `srcset` so a phone
downloads the small one.

The renditions are named after the original's file name, which Django makes unique on every upload, so a new
image never shows an old rendition. Missing renditions are made on first use (the admin and the demo seed make
them at save time; a page that finds one missing makes it then).
"""

from __future__ import annotations

import io
import logging
from dataclasses import dataclass
from pathlib import PurePosixPath

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, UnidentifiedImageError

logger = logging.getLogger(__name__)

WIDTHS = (320, 640, 960)
QUALITY = 82


@dataclass(frozen=True)
class Rendition:
    width: int
    height: int
    url: str


def _name(original: str, width: int) -> str:
    path = PurePosixPath(original)
    return str(path.parent / "renditions" / f"{path.stem}-{width}w.jpg")


def renditions(product) -> list[Rendition]:
    """The product image's renditions, smallest first ([] without an image). Reads only the model's stored width
    and height, and checks one file: the renditions are made when the largest is missing."""
    image = product.image
    if not image or not product.image_width or not product.image_height:
        return []
    width, height = product.image_width, product.image_height
    found = [
        Rendition(width=w, height=round(height * w / width), url=default_storage.url(_name(image.name, w)))
        for w in _widths(width)
    ]
    if not default_storage.exists(_name(image.name, found[-1].width)) and not make_renditions(product):
        return []
    return found


def make_renditions(product) -> bool:
    """Write the missing renditions of the product's image; False when the file can't be read as an image."""
    name = product.image.name
    try:
        with default_storage.open(name, "rb") as handle, Image.open(handle) as original:
            original.load()
            width, height = original.size
            for w in _widths(width):
                target = _name(name, w)
                if not default_storage.exists(target):
                    default_storage.save(target, ContentFile(_resize(original, w, round(height * w / width))))
    except (OSError, UnidentifiedImageError, ValueError):
        logger.warning("A product image could not be read; the page shows no image (product %s)", product.pk)
        return False
    return True


def _widths(original_width: int) -> list[int]:
    """The rendition widths for an original: the standard ones below its width, then its own (capped)."""
    widths = [w for w in WIDTHS if w < original_width]
    largest = min(original_width, WIDTHS[-1])
    return widths if largest in widths else [*widths, largest]


def _resize(original: Image.Image, width: int, height: int) -> bytes:
    picture = original.convert("RGB").resize((width, height), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    picture.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue()
