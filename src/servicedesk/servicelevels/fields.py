"""The field a contract points at its service level with."""

from typing import Any

from django.db import models
from django.db.models.fields.related_descriptors import ForwardManyToOneDescriptor


class _ByKeyDescriptor(ForwardManyToOneDescriptor[Any]):
    """Reads the service level; is also written with its key (``contract.service_level =
    "gold"``), as fixtures, the demo and the API wrote the key before levels were records."""

    def __set__(self, instance: Any, value: Any) -> None:
        if isinstance(value, str):
            # Sets the key column and forgets a cached record of another key.
            setattr(instance, self.field.attname, value)
            return
        super().__set__(instance, value)


class ServiceLevelField(models.ForeignKey):  # type: ignore[type-arg]
    """A foreign key to `ServiceLevel` by its key (`to_field="key"`), so that
    `contract.service_level_id` is the key itself and the key may be assigned."""

    forward_related_accessor_class = _ByKeyDescriptor
