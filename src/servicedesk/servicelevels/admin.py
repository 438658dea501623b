"""Admin pages for service levels: every staff member reads them, administrators write.

A level's page shows its current definition and its versions; "Edit" opens the editor,
whose save writes the next version (tickets keep theirs), and "Copy" starts a new level
from a version. Writes go through `servicelevels.services`, which ask the policy again.
"""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Max, QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from servicedesk.accounts.models import User
from servicedesk.core.admin_site import PolicyAdmin
from servicedesk.servicelevels import services
from servicedesk.servicelevels.definition import DefinitionError
from servicedesk.servicelevels.forms import Editor
from servicedesk.servicelevels.models import ServiceLevel, ServiceLevelVersion
from servicedesk.servicelevels.selectors import describe
from servicedesk.tickets import policy

# What the editor starts from for a new level: office hours and a policy for incidents.
NEW_LEVEL: dict[str, Any] = {
    "scheme": {"key": "", "name": "", "default": "", "priorities": [], "matrix": []},
    "calendar": {
        "time_zone": "Europe/Amsterdam",
        "country": "NL",
        "subdivision": "",
        "hours": [{"weekday": day, "opens": "09:00", "closes": "17:00"} for day in range(5)],
        "holidays": [],
        "extra_open": [],
    },
    "policies": [{"name": "Incidents", "kinds": ["incident"], "targets": []}],
    "exempt_kinds": [],
}


class VersionInline(admin.TabularInline[ServiceLevelVersion, ServiceLevel]):
    model = ServiceLevelVersion
    fk_name = "service_level"
    extra = 0
    can_delete = False
    fields = readonly_fields = ("number", "name", "created_at", "created_by", "note", "copy_link")
    ordering = ["-number"]

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceLevelVersion]:
        return super().get_queryset(request).select_related("service_level", "created_by")

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return policy.is_staff(request.user)

    @admin.display(description=gettext_lazy("Copy"))
    def copy_link(self, version: ServiceLevelVersion) -> str:
        url = reverse("admin:servicelevels_servicelevel_copy", args=[version.service_level.pk])
        return format_html(
            '<a href="{}?version={}">{}</a>', url, version.number, _("Copy this version")
        )


class CopyForm(forms.Form):
    key = forms.SlugField(label=gettext_lazy("Key of the new level"), max_length=60)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    version = forms.TypedChoiceField(label=gettext_lazy("From version"), coerce=int)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(PolicyAdmin[ServiceLevel]):
    change_action = policy.Action.ADMINISTER
    list_display = ["key", "name", "current_version", "contract_count"]
    search_fields = ["key", "name"]
    fields = readonly_fields = ("key", "name", "description", "created_at")
    inlines = [VersionInline]
    actions = ["copy_selected"]
    change_form_template = "admin/servicelevels/servicelevel/change_form.html"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ServiceLevel]:
        return (
            super()
            .get_queryset(request)
            .annotate(
                latest_version=Max("versions__number"),
                contracts_count=Count("contracts", distinct=True),
            )
        )

    @admin.display(description=gettext_lazy("Version"), ordering="latest_version")
    def current_version(self, level: ServiceLevel) -> Any:
        return getattr(level, "latest_version", None)

    @admin.display(description=gettext_lazy("Contracts"), ordering="contracts_count")
    def contract_count(self, level: ServiceLevel) -> Any:
        return getattr(level, "contracts_count", None)

    # A version is never changed: the editor writes the next one (`edit_view`).
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[Any]:
        view = self.admin_site.admin_view
        return [
            path(
                "<path:object_id>/edit/",
                view(self.edit_view),
                name="servicelevels_servicelevel_edit",
            ),
            path(
                "<path:object_id>/copy/",
                view(self.copy_view),
                name="servicelevels_servicelevel_copy",
            ),
            *super().get_urls(),
        ]

    # -- pages ----------------------------------------------------------------------------

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        level = self.get_object(request, unquote(object_id))
        latest = _latest(level) if level is not None else None
        context = {
            **(extra_context or {}),
            "may_edit": self._may_change(request),
            "summary": describe(latest.definition) if latest is not None else None,
            "latest": latest,
        }
        return super().change_view(request, object_id, form_url, context)

    def add_view(
        self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        return self._editor(request, None)

    def edit_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        level = self.get_object(request, unquote(object_id))
        if level is None:
            return self._missing(request)
        return self._editor(request, level)

    def _missing(self, request: HttpRequest) -> HttpResponse:
        self.message_user(request, _("No such service level."), messages.WARNING)
        return HttpResponseRedirect(reverse("admin:servicelevels_servicelevel_changelist"))

    def _editor(self, request: HttpRequest, level: ServiceLevel | None) -> HttpResponse:
        if not self._may_change(request):
            raise PermissionDenied
        latest = _latest(level) if level is not None else None
        if request.method == "POST":
            editor = Editor(data=request.POST, with_key=level is None)
            saved = self._save(request, editor, level)
            if saved is not None:
                return saved
        else:
            editor = Editor(
                definition=latest.definition if latest is not None else NEW_LEVEL,
                level={"name": level.name, "description": level.description} if level else {},
                with_key=level is None,
            )
        title = (
            _("Edit %(name)s: version %(number)d")
            % {"name": level.name, "number": latest.number + 1}
            if level is not None and latest is not None
            else _("Add service level")
        )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "editor": editor,
            "original": level,
            "latest": latest,
            "media": self.media + editor.level.media,
        }
        return TemplateResponse(request, "admin/servicelevels/servicelevel/editor.html", context)

    def _save(
        self, request: HttpRequest, editor: Editor, level: ServiceLevel | None
    ) -> HttpResponse | None:
        """Write the editor's definition; return where to go next, or None to show errors."""
        if not editor.is_valid():
            return None
        definition = editor.definition()
        if editor.has_errors():
            return None
        data = editor.level.cleaned_data
        actor = request.user if isinstance(request.user, User) else None
        version: ServiceLevelVersion | None
        try:
            if level is None:
                version = services.service_level_create(
                    actor=actor,
                    key=data["key"],
                    name=data["name"],
                    description=data["description"],
                    definition=definition,
                    note=data["note"],
                )
                level = version.service_level
            else:
                version = services.service_level_edit(
                    actor=actor,
                    level=level,
                    name=data["name"],
                    description=data["description"],
                    definition=definition,
                    note=data["note"],
                )
        except DefinitionError as error:
            editor.show_problems(error.problems)
            return None
        except ValidationError as error:
            for field, messages_ in error.message_dict.items():
                for message in messages_:
                    editor.level.add_error(field if field in editor.level.fields else None, message)
            return None
        if version is None:
            self.message_user(request, _("Nothing changed: no new version."), messages.INFO)
        else:
            self.message_user(
                request,
                _(
                    "%(name)s is now at version %(number)d. Tickets keep the version they "
                    "started under."
                )
                % {"name": level.name, "number": version.number},
                messages.SUCCESS,
            )
        return HttpResponseRedirect(
            reverse("admin:servicelevels_servicelevel_change", args=[level.pk])
        )

    def copy_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        if not self._may_change(request):
            raise PermissionDenied
        level = self.get_object(request, unquote(object_id))
        if level is None:
            return self._missing(request)
        versions = list(ServiceLevelVersion.objects.filter(service_level=level).order_by("-number"))
        if not versions:
            self.message_user(request, _("This level has no version to copy."), messages.WARNING)
            return HttpResponseRedirect(
                reverse("admin:servicelevels_servicelevel_change", args=[level.pk])
            )
        form = CopyForm(
            request.POST or None,
            initial={
                "key": services.free_key(f"{level.key}-copy"),
                "name": _("Copy of %(name)s") % {"name": level.name},
                "version": request.GET.get("version", versions[0].number),
            },
        )
        choice = form.fields["version"]
        assert isinstance(choice, forms.TypedChoiceField)
        choice.choices = [(v.number, str(v)) for v in versions]
        if request.method == "POST" and form.is_valid():
            source = next(v for v in versions if v.number == form.cleaned_data["version"])
            actor = request.user if isinstance(request.user, User) else None
            try:
                copied = services.service_level_copy(
                    actor=actor,
                    version=source,
                    key=form.cleaned_data["key"],
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                for field, messages_ in error.message_dict.items():
                    for message in messages_:
                        form.add_error(field if field in form.fields else None, message)
            else:
                self.message_user(
                    request,
                    _("%(name)s copied; change it here.") % {"name": copied.name},
                    messages.SUCCESS,
                )
                return HttpResponseRedirect(
                    reverse("admin:servicelevels_servicelevel_edit", args=[copied.service_level.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": _("Copy %(name)s") % {"name": level.name},
            "form": form,
            "original": level,
        }
        return TemplateResponse(request, "admin/servicelevels/servicelevel/copy.html", context)

    @admin.action(description=gettext_lazy("Copy the selected service levels"), permissions=["add"])
    def copy_selected(self, request: HttpRequest, queryset: QuerySet[ServiceLevel]) -> None:
        actor = request.user if isinstance(request.user, User) else None
        copied = []
        for level in queryset:
            latest = _latest(level)
            if latest is None:
                continue
            version = services.service_level_copy(
                actor=actor,
                version=latest,
                key=services.free_key(f"{level.key}-copy"),
                name=_("Copy of %(name)s") % {"name": level.name},
            )
            copied.append(version.service_level_id)
        self.message_user(
            request,
            _("Copied as %(keys)s.") % {"keys": ", ".join(copied)}
            if copied
            else _("Nothing to copy."),
        )


def _latest(level: ServiceLevel) -> ServiceLevelVersion | None:
    return ServiceLevelVersion.objects.filter(service_level=level).order_by("-number").first()
