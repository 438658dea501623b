"""HTMX requests: which region a request asks for (django-htmx's middleware tells)."""

from django.http import HttpRequest


def htmx_target(request: HttpRequest) -> str | None:
    """Return the id of the element an HTMX request will update; None for a normal request."""
    details = getattr(request, "htmx", None)
    return details.target if details else None


def is_htmx(request: HttpRequest) -> bool:
    """Return whether HTMX sent the request."""
    return bool(getattr(request, "htmx", False))
