"""Diskominfo creates an office's agent here, gets its one-time enrolment code, revokes a
token, or retires the agent (the office goes back to "camera reached by the server")."""

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from agents import services
from agents.models import Agent, AgentWarning
from kelurahan_monitor.admin_scoping import GovernmentScopeMixin


@admin.register(Agent)
class AgentAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "office__kecamatan__local_government_id"
    list_display = [
        "office",
        "name",
        "enrolled_at",
        "last_contact_at",
        "queue_depth",
        "clock_offset_seconds",
        "version",
        "revoked_at",
        "retired_at",
    ]
    list_filter = ["office__kecamatan"]
    search_fields = ["office__name", "office__code", "name"]
    autocomplete_fields = ["office"]
    readonly_fields = [
        "enrolled_at",
        "last_contact_at",
        "clock_offset_seconds",
        "queue_depth",
        "version",
        "last_sequence",
    ]
    fields = ["office", "name", *readonly_fields]
    actions = ["issue_code", "revoke", "retire"]

    @admin.action(description=_("Buat kode pendaftaran sekali pakai (24 jam)"))
    def issue_code(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        now = timezone.now()
        for agent in queryset.filter(revoked_at__isnull=True, retired_at__isnull=True):
            code = services.issue_enrolment_code(agent, now)
            self.message_user(
                request,
                _("Kode pendaftaran %(agent)s: %(code)s (berlaku 24 jam, sekali pakai)")
                % {"agent": agent, "code": code},
                messages.WARNING,
            )

    @admin.action(description=_("Cabut token agen"))
    def revoke(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        now = timezone.now()
        for agent in queryset.filter(revoked_at__isnull=True):
            services.revoke_agent(agent, now)
        self.message_user(request, _("Token dicabut."))

    @admin.action(description=_("Hentikan agen (kamera kembali dijangkau server)"))
    def retire(self, request: HttpRequest, queryset: QuerySet[Agent]) -> None:
        now = timezone.now()
        for agent in queryset.filter(retired_at__isnull=True):
            services.retire_agent(agent, now)
        self.message_user(request, _("Agen dihentikan; riwayat kantor tetap."))


@admin.register(AgentWarning)
class AgentWarningAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "agent__office__kecamatan__local_government_id"
    list_display = ["created_at", "agent", "kind", "sequence", "detail"]
    list_filter = ["kind"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False
