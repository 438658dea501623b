"""Admin: mailboxes are configured here; inbound mail (the quarantine) and outbound mail
are read here, and run again or sent again with an action."""

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from servicedesk.mail.imap import mailbox_poll
from servicedesk.mail.intake import mail_reprocess
from servicedesk.mail.models import (
    RERUNNABLE_STATUSES,
    InboundMail,
    Mailbox,
    OutboundMail,
)
from servicedesk.mail.outbound import MAIL
from servicedesk.outbox.services import outbox_send_again

RAW_PREVIEW_BYTES = 64 * 1024


class MailboxForm(forms.ModelForm[Mailbox]):
    """The password is never shown; left empty, the stored one is kept."""

    password = forms.CharField(
        label=_("password"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Leave empty to keep the current password."),
    )

    class Meta:
        model = Mailbox
        fields = [
            "name",
            "address",
            "host",
            "port",
            "security",
            "username",
            "password",
            "folder",
            "processed_folder",
            "team",
            "product",
            "active",
        ]

    def clean_password(self) -> str:
        password: str = self.cleaned_data.get("password") or ""
        if not password and self.instance.pk:
            return self.instance.password
        return password


@admin.register(Mailbox)
class MailboxAdmin(admin.ModelAdmin[Mailbox]):
    form = MailboxForm
    list_display = ["name", "address", "host", "folder", "team", "product", "active"]
    list_display += ["last_polled_at", "last_error"]
    list_filter = ["active", "security"]
    readonly_fields = ["last_polled_at", "last_error"]
    actions = ["poll_now"]

    @admin.action(description=_("Poll the selected mailboxes now"))
    def poll_now(self, request: HttpRequest, queryset: QuerySet[Mailbox]) -> None:
        for mailbox in queryset:
            report = mailbox_poll(mailbox)
            level = messages.ERROR if report.error else messages.INFO
            self.message_user(request, str(report), level)


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin[InboundMail]):
    list_display = ["received_at", "status", "sender", "subject", "source", "ticket", "attempts"]
    list_filter = ["status", "source"]
    search_fields = ["sender", "subject", "message_id", "ticket__number"]
    list_select_related = ["ticket"]
    date_hierarchy = "received_at"
    actions = ["run_again"]
    exclude = ["raw"]
    readonly_fields = [
        "status",
        "reason",
        "received_at",
        "processed_at",
        "attempts",
        "source",
        "mailbox",
        "envelope_to",
        "message_id",
        "sender",
        "subject",
        "ticket",
        "ticket_message",
        "size",
        "truncated",
        "sha256",
        "defects",
        "text",
        "raw_message",
    ]

    def get_queryset(self, request: HttpRequest) -> QuerySet[InboundMail]:
        # The raw bytes (up to 30 MB each) are read only when shown.
        return super().get_queryset(request).defer("raw", "text", "html")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_urls(self) -> list[URLPattern]:
        download = self.admin_site.admin_view(self.download_raw)
        return [
            path("<int:pk>/raw/", download, name="mail_inboundmail_raw"),
            *super().get_urls(),
        ]

    def download_raw(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Return the stored raw message as an .eml download (never shown inline)."""
        if not self.has_view_permission(request):
            return HttpResponse(status=403)
        inbound = get_object_or_404(InboundMail, pk=pk)
        response = HttpResponse(bytes(inbound.raw), content_type="application/octet-stream")
        response["Content-Disposition"] = f'attachment; filename="inbound-{inbound.pk}.eml"'
        return response

    @admin.display(description=_("raw message"))
    def raw_message(self, obj: InboundMail) -> SafeString:
        raw = bytes(obj.raw)
        preview = raw[:RAW_PREVIEW_BYTES].decode("utf-8", "replace")
        more = len(raw) > RAW_PREVIEW_BYTES
        url = reverse("admin:mail_inboundmail_raw", args=[obj.pk])
        return format_html(
            '<p><a href="{}">{}</a>{}</p><pre style="white-space:pre-wrap;max-height:40em;'
            'overflow:auto">{}</pre>',
            url,
            _("Download the raw message"),
            _(" (the preview shows its beginning)") if more else "",
            preview,
        )

    @admin.action(description=_("Run the selected mail through the intake again"))
    def run_again(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        done = 0
        for pk in queryset.filter(status__in=RERUNNABLE_STATUSES).values_list("pk", flat=True):
            inbound = mail_reprocess(pk)
            done += 1
            self.message_user(request, f"#{inbound.pk}: {inbound.status}: {inbound.reason}")
        skipped = queryset.count() - done
        if skipped:
            self.message_user(
                request,
                _("%(count)d processed or ignored mails were left alone.") % {"count": skipped},
                messages.WARNING,
            )


@admin.register(OutboundMail)
class OutboundMailAdmin(admin.ModelAdmin[OutboundMail]):
    list_display = ["created_at", "kind", "to", "ticket", "sent_at", "attempts", "failed_at"]
    list_filter = ["kind", "language"]
    search_fields = ["to", "subject", "message_id", "ticket__number"]
    list_select_related = ["ticket"]
    date_hierarchy = "created_at"
    actions = ["send_again"]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return [field.name for field in OutboundMail._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description=_("Send the selected unsent mail again now"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboundMail]) -> None:
        count = outbox_send_again(MAIL, queryset.values_list("pk", flat=True))
        self.message_user(request, _("%(count)d mails queued.") % {"count": count})
