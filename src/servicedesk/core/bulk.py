"""Writing the same fields of many rows: one UPDATE per distinct set of values.

Django's `bulk_update` writes one CASE expression per field and row; building it costs more
than the statement saves when rows share their values (a batch of closes: same status, same
instant) or are few. `update_grouped` sends one plain UPDATE per distinct combination of the
values instead, for all the rows that have it.
"""

from collections.abc import Iterable, Sequence

from django.db import models


def update_grouped(
    model: type[models.Model], rows: Iterable[models.Model], fields: Sequence[str]
) -> int:
    """Store `fields` of `rows` (instances of `model` with a primary key); return how many
    UPDATE statements it took."""
    attnames = [_attname(model, name) for name in fields]
    groups: dict[tuple[object, ...], list[object]] = {}
    for row in rows:
        values = tuple(getattr(row, attname) for attname in attnames)
        groups.setdefault(values, []).append(row.pk)
    for values, pks in groups.items():
        model._default_manager.filter(pk__in=pks).update(**dict(zip(attnames, values, strict=True)))
    return len(groups)


def _attname(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{model.__name__}.{name} is not a column")
    return field.attname
