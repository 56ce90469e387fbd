"""{% product_image product sizes="(max-width: 40rem) 100vw, 20rem" %}: the product's photo as a responsive,
lazily loaded <img> with its width, height (no layout shift) and a text alternative (shop/images.py)."""

from django import template

from ..images import renditions

register = template.Library()


@register.inclusion_tag("shop/_product_image.html")
def product_image(product, sizes: str = "100vw", eager: bool = False, css_class: str = "product-image") -> dict:
    found = renditions(product)
    if not found:
        return {"image": None}
    middle = found[min(1, len(found) - 1)]
    return {
        "image": middle,
        "srcset": ", ".join(f"{r.url} {r.width}w" for r in found),
        "sizes": sizes,
        "alt": product.image_alt or product.name,
        "eager": eager,
        "css_class": css_class,
    }
