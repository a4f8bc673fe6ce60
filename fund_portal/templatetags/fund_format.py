from django import template

from fund_portal.money import format_vnd

register = template.Library()


@register.filter
def vnd(amount) -> str:
    """{{ amount|vnd }} -> 1.250.000 ₫"""
    return format_vnd(amount)
