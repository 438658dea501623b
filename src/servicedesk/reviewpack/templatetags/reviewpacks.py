"""Template filters of the review pack: kind names, and whether to show its menu entries."""

from typing import Any

from django import template

from servicedesk.reviewpack.access import downloads_packs, makes_packs
from servicedesk.ui import display

register = template.Library()


@register.filter
def kind_name(value: str) -> str:
    """{{ item.code|kind_name }} -> "Incident"."""
    return display.kind_label(value)


@register.filter
def makes_review_packs(user: Any) -> bool:
    """{% if user|makes_review_packs %}: whether to show the desk's review pack entry."""
    return makes_packs(user)


@register.filter
def downloads_review_packs(user: Any) -> bool:
    """{% if user|downloads_review_packs %}: whether to show the portal's download link."""
    return downloads_packs(user)


@register.filter
def css_string(value: object) -> str:
    """{{ name|css_string }}: the text to go between double quotes in a stylesheet, with
    every character that could end the string or the style element written as a CSS escape."""
    return "".join(
        f"\\{ord(char):x} " if char in "\"\\<>&'" or ord(char) < 0x20 else char
        for char in str(value)
    )
