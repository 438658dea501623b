"""Request body parsers: JSON refused with a 400 when nested deeper than any of our inputs."""

from collections.abc import Mapping
from typing import IO, Any

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# Our inputs nest two or three levels; this leaves room without letting a caller make
# the decoder (or any code that walks the data later) recurse until the stack runs out.
MAX_JSON_DEPTH = 32


class BoundedJSONParser(JSONParser):
    """Parse a JSON body, answering 400 when arrays and objects nest too deeply."""

    def parse(
        self,
        stream: IO[Any],
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> dict[str, Any]:
        try:
            document = super().parse(stream, media_type, parser_context)
        except RecursionError:
            # The decoder itself gives up near Python's recursion limit (about 1,000 levels).
            raise _too_deep() from None
        if nested_deeper_than(document, MAX_JSON_DEPTH):
            raise _too_deep()
        return document


def _too_deep() -> ParseError:
    return ParseError(
        _("JSON parse error - arrays and objects nest more than %(depth)d levels deep.")
        % {"depth": MAX_JSON_DEPTH}
    )


def nested_deeper_than(document: object, limit: int) -> bool:
    """Return whether arrays and objects in the decoded document nest more than `limit` deep.

    Walks with an explicit stack: recursing would fail on the very documents it looks for.
    """
    stack: list[tuple[object, int]] = [(document, 0)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict):
            children: Any = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        if depth + 1 > limit:
            return True
        stack.extend((child, depth + 1) for child in children)
    return False
