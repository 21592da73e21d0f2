from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from compliance import services
from compliance.models import (
    VERDICT_COMPUTED_FIELDS,
    Alert,
    DailyVerdict,
    SecurityEvent,
    VerdictChange,
)
from kelurahan_monitor.admin_scoping import GovernmentScopeMixin


class DailyVerdictForm(forms.ModelForm):
    class Meta:
        model = DailyVerdict
        fields = ["override_status", "override_reason"]

    def clean(self) -> dict:
        # ModelForm.clean() returns self.cleaned_data; the stubs widen it to Optional.
        super().clean()
        cleaned = self.cleaned_data
        if cleaned.get("override_status") and not (cleaned.get("override_reason") or "").strip():
            self.add_error("override_reason", _("Koreksi putusan harus disertai alasan."))
        return cleaned


@admin.register(DailyVerdict)
class DailyVerdictAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "office__kecamatan__local_government_id"
    form = DailyVerdictForm
    list_display = [
        "date",
        "office",
        "status",
        "override_status",
        "opened_at",
        "minutes_late",
        "coverage",
        "is_final",
    ]
    list_filter = ["status", "override_status", "is_final", "office__kecamatan", "date"]
    search_fields = ["office__name", "office__code"]
    date_hierarchy = "date"
    list_select_related = ["office"]
    readonly_fields = [
        "office",
        "date",
        *VERDICT_COMPUTED_FIELDS,
        "overridden_by",
        "overridden_at",
    ]
    fieldsets = [
        (None, {"fields": list(readonly_fields[:12])}),
        (_("Koreksi petugas"), {"fields": ["override_status", "override_reason"]}),
        (None, {"fields": list(readonly_fields[12:])}),
    ]

    def has_add_permission(self, request) -> bool:
        return False

    def save_model(self, request, obj, form, change):
        # Overrides go through the service so every change lands in the audit trail.
        if {"override_status", "override_reason"} & set(form.changed_data):
            services.override_verdict(
                obj.pk, obj.override_status, obj.override_reason, request.user.pk
            )


@admin.register(VerdictChange)
class VerdictChangeAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "verdict__office__kecamatan__local_government_id"
    list_display = ["verdict", "previous_status", "new_status", "changed_by", "changed_at"]
    list_filter = ["new_status", "verdict__office__kecamatan"]
    search_fields = ["verdict__office__name", "reason"]
    readonly_fields = ["verdict", "previous_status", "new_status", "reason", "changed_by"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SecurityEvent)
class SecurityEventAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "office__kecamatan__local_government_id"
    list_display = ["occurred_at", "office", "people", "reviewed"]
    list_filter = ["reviewed", "office__kecamatan"]
    list_editable = ["reviewed"]
    search_fields = ["office__name", "office__code"]
    date_hierarchy = "occurred_at"
    list_select_related = ["office"]
    readonly_fields = ["office", "observation", "occurred_at", "people"]


@admin.register(Alert)
class AlertAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "office__kecamatan__local_government_id"
    list_display = ["created_at", "kind", "office", "delivered_at"]
    list_filter = ["kind", "office__kecamatan"]
    search_fields = ["office__name", "message", "key"]
    date_hierarchy = "created_at"
    list_select_related = ["office"]
    readonly_fields = ["key", "kind", "office", "message", "recipients", "delivered_at"]
