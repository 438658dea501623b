"""Form pieces both web UIs use: several files in one field, a service's refusal shown on
the form, and the kinds of request people report."""

from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from servicedesk.tickets.models import Kind

# What a customer reports, in the portal or by phone; complaints come another way.
REPORT_KINDS = (Kind.INCIDENT, Kind.QUESTION, Kind.CHANGE_REQUEST, Kind.APPLICATION_SERVICE)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """A file field that accepts several files and cleans to a list of them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": "dropzone-input"}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile[bytes]]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


def add_service_errors(
    form: forms.Form, error: ValidationError, aliases: Mapping[str, str] | None = None
) -> None:
    """Show a service's ValidationError on the form: on its field, else above the form.

    `aliases` maps the service's field names to the form's ("requester" -> "contact");
    a field the form does not have becomes an error above the form.
    """
    aliases = aliases or {}
    messages = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for field, texts in messages.items():
        name = aliases.get(field or "", field)
        form.add_error(name if name in form.fields else None, list(texts))
