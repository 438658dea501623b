"""Ids as the API reads them: whole numbers a 64-bit column holds, else a 400 naming the field.

A larger number reaches the database otherwise: SQLite refuses it with an OverflowError,
and 1e400 in JSON (infinity) fails even before the query. Both would answer 500.
"""

import math
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

import django_filters
from django import forms
from django.db.models import Model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
ID_SCHEMA = {"type": "integer", "format": "int64", "minimum": INT64_MIN, "maximum": INT64_MAX}

_M = TypeVar("_M", bound=Model)


def fits_int64(value: object) -> bool:
    """Return whether the value, read as a number, is finite and within 64 bits.

    Anything that is no number at all passes: the field refuses it as it always has.
    """
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return INT64_MIN <= value <= INT64_MAX
    if isinstance(value, float):
        return math.isfinite(value) and INT64_MIN <= value <= INT64_MAX
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            return True
        return number.is_finite() and INT64_MIN <= number <= INT64_MAX
    return True


@extend_schema_field(ID_SCHEMA)
class IdFilter(django_filters.NumberFilter):  # type: ignore[misc]
    """Filter by an id: a whole number within 64 bits, else a 400 naming the parameter."""

    field_class = forms.IntegerField

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", INT64_MIN)
        kwargs.setdefault("max_value", INT64_MAX)
        super().__init__(*args, **kwargs)


class IdRelatedField(serializers.PrimaryKeyRelatedField[_M]):
    """A related object by id; an id no 64-bit column holds is one that does not exist."""

    def to_internal_value(self, data: Any) -> _M:
        if not fits_int64(data):
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
