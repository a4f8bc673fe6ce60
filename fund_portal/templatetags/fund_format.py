from django import template
from django.utils.html import format_html

from fund_portal.money import format_vnd

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """{{ amount|vnd }} -> 1.250.000 ₫, in a `money` span that the style sheets keep on one line: on a
    phone a "₫" wrapped alone onto the next line reads as a figure of its own."""
    text = format_vnd(amount)
    return format_html('<span class="money">{}</span>', text) if text else ""
