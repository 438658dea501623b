"""Service levels: staff read them; administrators create, edit (a new version) and copy.

The definition's shape is documented by the serializers below; what makes a definition
valid beyond its types is checked once, in `servicelevels.definition`, and reported per
field under "definition".
"""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import SAFE_METHODS, BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from servicedesk.accounts.models import User
from servicedesk.api.parsers import BoundedJSONParser
from servicedesk.servicelevels import services
from servicedesk.servicelevels.definition import CLOCKS, MAX_MINUTES, METRICS, DefinitionError
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion
from servicedesk.servicelevels.selectors import service_levels_visible_to
from servicedesk.tickets import policy
from servicedesk.tickets.models import Kind, Level, Status

KEY_PATTERN = r"[a-z0-9][a-z0-9_-]*"
TIME_PATTERN = r"^\d\d:\d\d$"
# Closing a ticket stops its clocks: it is no status a clock pauses in.
PAUSABLE = [(value, label) for value, label in Status.choices if value != Status.CLOSED]


class ServiceLevelKeyField(serializers.SlugRelatedField[ServiceLevel]):
    """A service level by its key; read from the key column, without loading the level."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("queryset", ServiceLevel.objects.all())
        super().__init__(slug_field="key", **kwargs)

    def get_attribute(self, instance: Any) -> Any:
        return getattr(instance, f"{self.source}_id")

    def to_representation(self, obj: Any) -> Any:
        return obj if isinstance(obj, str) else obj.key


# ------------------------------------------------------------------- the definition


class PrioritySerializer(serializers.Serializer[dict[str, Any]]):
    code = serializers.CharField(max_length=20)
    name_en = serializers.CharField(max_length=120)
    name_nl = serializers.CharField(max_length=120, allow_blank=True, default="")
    name_fr = serializers.CharField(max_length=120, allow_blank=True, default="")


class MatrixCellSerializer(serializers.Serializer[dict[str, Any]]):
    impact = serializers.ChoiceField(choices=Level.choices)
    urgency = serializers.ChoiceField(choices=Level.choices)
    priority = serializers.CharField(max_length=20)


class SchemeSerializer(serializers.Serializer[dict[str, Any]]):
    key = serializers.CharField(max_length=60)
    name = serializers.CharField(max_length=120)
    default = serializers.CharField(max_length=20, help_text="The code of the default priority.")
    priorities = PrioritySerializer(many=True, help_text="Most urgent first.")
    matrix = MatrixCellSerializer(
        many=True,
        default=list,
        help_text="Impact x urgency: all nine cells, or none (every ticket gets the default).",
    )


class OpeningHoursSerializer(serializers.Serializer[dict[str, Any]]):
    weekday = serializers.IntegerField(min_value=0, max_value=6, help_text="0 is Monday.")
    opens = serializers.RegexField(TIME_PATTERN, help_text="HH:MM, local time.")
    closes = serializers.RegexField(TIME_PATTERN, help_text="HH:MM, local time; 24:00 allowed.")


class CalendarSerializer(serializers.Serializer[dict[str, Any]]):
    time_zone = serializers.CharField(max_length=64)
    country = serializers.CharField(
        max_length=2, allow_blank=True, default="", help_text="Public holidays of (ISO code)."
    )
    subdivision = serializers.CharField(max_length=10, allow_blank=True, default="")
    hours = OpeningHoursSerializer(many=True)
    holidays = serializers.ListField(child=serializers.DateField(), default=list)
    extra_open = serializers.ListField(
        child=serializers.DateField(), default=list, help_text="Open although a holiday."
    )


class TargetSerializer(serializers.Serializer[dict[str, Any]]):
    priority = serializers.CharField(max_length=20)
    key = serializers.CharField(max_length=40, help_text="The clock's name, e.g. restore.")
    metric = serializers.ChoiceField(
        choices=METRICS, allow_null=True, required=False, help_text="Default: the key."
    )
    minutes = serializers.IntegerField(
        allow_null=True, required=False, min_value=-MAX_MINUTES, max_value=10 * MAX_MINUTES
    )
    clock = serializers.ChoiceField(choices=CLOCKS, allow_null=True, required=False)
    objective_percent = serializers.FloatField(
        allow_null=True, required=False, help_text="Share of tickets that must meet it."
    )
    warn_at_fraction = serializers.FloatField(allow_null=True, required=False)
    pausing_statuses = serializers.ListField(
        child=serializers.ChoiceField(choices=PAUSABLE), allow_null=True, required=False
    )
    internal = serializers.BooleanField(default=False)
    no_target_reason = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text="Given: this priority explicitly has no target here, for this reason.",
    )


class PolicySerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=100)
    kinds = serializers.ListField(child=serializers.ChoiceField(choices=Kind.choices))
    targets = TargetSerializer(many=True)


class ExemptKindSerializer(serializers.Serializer[dict[str, Any]]):
    kind = serializers.ChoiceField(choices=Kind.choices)
    reason = serializers.CharField(max_length=200)


class DefinitionSerializer(serializers.Serializer[dict[str, Any]]):
    scheme = SchemeSerializer()
    calendar = CalendarSerializer()
    policies = PolicySerializer(many=True)
    exempt_kinds = ExemptKindSerializer(many=True, default=list)

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        value: dict[str, Any] = super().to_internal_value(data)
        calendar = value["calendar"]
        for name in ("holidays", "extra_open"):
            calendar[name] = [day.isoformat() for day in calendar[name]]
        return value


# ------------------------------------------------------------------- levels


class VersionSummarySerializer(serializers.ModelSerializer[ServiceLevelVersion]):
    created_by = serializers.SlugRelatedField[User](
        slug_field="username", read_only=True, allow_null=True
    )
    copied_from = serializers.SerializerMethodField()

    class Meta:
        model = ServiceLevelVersion
        fields = ["number", "name", "created_at", "created_by", "note", "copied_from"]
        read_only_fields = fields

    def get_copied_from(self, version: ServiceLevelVersion) -> str | None:
        """The level and version this level was copied from, e.g. "gold v3"."""
        source = version.copied_from
        return None if source is None else f"{source.service_level_id} v{source.number}"


class VersionSerializer(VersionSummarySerializer):
    definition = DefinitionSerializer(read_only=True)

    class Meta(VersionSummarySerializer.Meta):
        fields = [*VersionSummarySerializer.Meta.fields, "description", "definition"]
        read_only_fields = fields


class ServiceLevelSerializer(serializers.ModelSerializer[ServiceLevel]):
    version = serializers.SerializerMethodField(help_text="The current version's number.")
    definition = serializers.SerializerMethodField()
    versions = serializers.SerializerMethodField(help_text="Latest first.")

    class Meta:
        model = ServiceLevel
        fields = ["key", "name", "description", "version", "definition", "versions"]
        read_only_fields = fields

    def _versions(self, level: ServiceLevel) -> list[ServiceLevelVersion]:
        return list(level.versions.all())  # prefetched, latest first

    def get_version(self, level: ServiceLevel) -> int | None:
        versions = self._versions(level)
        return versions[0].number if versions else None

    @extend_schema_field(DefinitionSerializer(allow_null=True))
    def get_definition(self, level: ServiceLevel) -> Any:
        versions = self._versions(level)
        return DefinitionSerializer(versions[0].definition).data if versions else None

    @extend_schema_field(VersionSummarySerializer(many=True))
    def get_versions(self, level: ServiceLevel) -> Any:
        return VersionSummarySerializer(self._versions(level), many=True).data


class ServiceLevelCreateSerializer(serializers.Serializer[dict[str, Any]]):
    key = serializers.RegexField(rf"^{KEY_PATTERN}$", max_length=60)
    name = serializers.CharField(max_length=200)
    description = serializers.CharField(allow_blank=True, default="")
    note = serializers.CharField(max_length=300, allow_blank=True, default="")
    definition = DefinitionSerializer()


class ServiceLevelUpdateSerializer(serializers.Serializer[dict[str, Any]]):
    name = serializers.CharField(max_length=200, required=False)
    description = serializers.CharField(allow_blank=True, required=False)
    note = serializers.CharField(
        max_length=300, allow_blank=True, default="", help_text="What changed, for the record."
    )
    definition = DefinitionSerializer(required=False)


class ServiceLevelCopySerializer(serializers.Serializer[dict[str, Any]]):
    key = serializers.RegexField(rf"^{KEY_PATTERN}$", max_length=60)
    name = serializers.CharField(max_length=200)
    version = serializers.IntegerField(
        min_value=1, max_value=2**31 - 1, required=False, help_text="Default: the current one."
    )


class ReadStaffWriteAdministrators(BasePermission):
    """Staff read (service managers too); administrators write. Customers are refused."""

    def has_permission(self, request: Request, view: Any) -> bool:
        if request.method in SAFE_METHODS:
            return policy.is_staff(request.user)
        return policy.allows(request.user, policy.Action.ADMINISTER)


def _actor(request: Request) -> User:
    assert isinstance(request.user, User)  # the permission admitted only staff
    return request.user


def _definition_errors(error: DefinitionError) -> serializers.ValidationError:
    return serializers.ValidationError({"definition": error.nested()})


class ServiceLevelViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ServiceLevel],
):
    """Service levels with their current definition and their versions: staff read them,
    administrators create, change and copy them; customers are refused."""

    serializer_class = ServiceLevelSerializer
    permission_classes = [ReadStaffWriteAdministrators]
    lookup_field = "key"
    lookup_value_regex = KEY_PATTERN
    filter_backends: list[Any] = []
    parser_classes = [BoundedJSONParser]  # a definition is nested: JSON only
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self) -> QuerySet[ServiceLevel]:
        versions = ServiceLevelVersion.objects.select_related("created_by", "copied_from").order_by(
            "-number"
        )
        return service_levels_visible_to(self.request.user).prefetch_related(
            Prefetch("versions", queryset=versions)
        )

    def _answer(self, key: str, code: int = status.HTTP_200_OK) -> Response:
        level = get_object_or_404(self.get_queryset(), key=key)
        return Response(ServiceLevelSerializer(level).data, status=code)

    @extend_schema(request=ServiceLevelCreateSerializer, responses={201: ServiceLevelSerializer})
    def create(self, request: Request) -> Response:
        data = ServiceLevelCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            version = services.service_level_create(actor=_actor(request), **data.validated_data)
        except DefinitionError as error:
            raise _definition_errors(error) from None
        return self._answer(version.service_level_id, status.HTTP_201_CREATED)

    @extend_schema(
        request=ServiceLevelUpdateSerializer,
        responses={200: ServiceLevelSerializer},
        description="Change the level: a changed definition, name or description is written "
        "as its next version; tickets keep the version they started under.",
    )
    def partial_update(self, request: Request, key: str) -> Response:
        level = self.get_object()
        data = ServiceLevelUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.service_level_edit(actor=_actor(request), level=level, **data.validated_data)
        except DefinitionError as error:
            raise _definition_errors(error) from None
        return self._answer(level.key)

    @extend_schema(request=ServiceLevelCopySerializer, responses={201: ServiceLevelSerializer})
    @action(detail=True, methods=["post"], pagination_class=None)
    def copy(self, request: Request, key: str) -> Response:
        """Create a new service level from a version of this one."""
        level = self.get_object()
        data = ServiceLevelCopySerializer(data=request.data)
        data.is_valid(raise_exception=True)
        versions = ServiceLevelVersion.objects.filter(service_level=level).order_by("-number")
        number = data.validated_data.get("version")
        source = (versions.filter(number=number) if number else versions).first()
        if source is None:
            raise serializers.ValidationError({"version": ["This level has no such version."]})
        version = services.service_level_copy(
            actor=_actor(request),
            version=source,
            key=data.validated_data["key"],
            name=data.validated_data["name"],
        )
        return self._answer(version.service_level_id, status.HTTP_201_CREATED)

    @extend_schema(responses={200: VersionSerializer})
    @action(
        detail=True,
        methods=["get"],
        url_path=r"versions/(?P<number>\d{1,9})",
        pagination_class=None,
    )
    def version_detail(self, request: Request, key: str, number: str) -> Response:
        """One version of the level, with the definition tickets under it are measured by."""
        level = self.get_object()
        found = get_object_or_404(
            ServiceLevelVersion.objects.select_related("created_by", "copied_from"),
            service_level=level,
            number=int(number),
        )
        return Response(VersionSerializer(found).data)
