from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from compliance import services
from compliance.models import (
    Alert,
    DailyVerdict,
    Excuse,
    Holiday,
    Kecamatan,
    LocalGovernment,
    Office,
    OpeningHours,
    SecurityEvent,
    SpecialPeriod,
    SpecialPeriodHours,
    VerdictChange,
)
from kelurahan_monitor import roles
from kelurahan_monitor.admin_scoping import GovernmentScopeMixin


@admin.register(LocalGovernment)
class LocalGovernmentAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "pk"
    list_display = ["code", "name", "kind", "time_zone"]
    search_fields = ["code", "name"]


@admin.register(Kecamatan)
class KecamatanAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "local_government_id"
    list_display = ["code", "name", "local_government"]
    list_filter = ["local_government"]
    search_fields = ["code", "name"]


class OpeningHoursInline(GovernmentScopeMixin, admin.TabularInline):
    government_lookup = "local_government_id"
    model = OpeningHours
    extra = 0
    fields = ["local_government", "weekday", "opens_at", "closes_at", "grace_minutes", "min_staff"]


@admin.register(Office)
class OfficeAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "kecamatan__local_government_id"
    list_display = ["code", "name", "kecamatan", "active"]
    list_filter = ["kecamatan", "active", "kecamatan__local_government"]
    search_fields = ["code", "name", "alternative_name", "kecamatan__name"]
    list_select_related = ["kecamatan"]
    inlines = [OpeningHoursInline]


@admin.register(OpeningHours)
class OpeningHoursAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "local_government_id"
    list_display = ["__str__", "weekday", "opens_at", "closes_at", "grace_minutes", "min_staff"]
    list_filter = ["weekday", "local_government", ("office", admin.EmptyFieldListFilter)]
    search_fields = ["office__name", "office__code"]
    list_select_related = ["office"]
    autocomplete_fields = ["office"]


class SpecialPeriodHoursInline(GovernmentScopeMixin, admin.TabularInline):
    government_lookup = "period__local_government_id"
    model = SpecialPeriodHours
    extra = 0


@admin.register(SpecialPeriod)
class SpecialPeriodAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "local_government_id"
    list_display = ["name", "kind", "date_from", "date_to", "local_government"]
    list_filter = ["kind", "local_government"]
    date_hierarchy = "date_from"
    inlines = [SpecialPeriodHoursInline]


class HolidayForm(forms.ModelForm):
    # Set by HolidayAdmin.get_form: the rule needs to know who writes.
    user = None

    class Meta:
        model = Holiday
        fields = ["date", "name", "kind", "local_government"]

    def clean(self) -> dict:
        super().clean()
        cleaned = self.cleaned_data
        government = cleaned.get("local_government")
        if self.user is not None and not roles.can_write_row(
            self.user, government.pk if government else None
        ):
            raise forms.ValidationError(
                _(
                    "Libur nasional dan cuti bersama hanya diubah oleh pengelola sistem; "
                    "libur daerah memilih pemerintah daerahnya."
                )
            )
        return cleaned


@admin.register(Holiday)
class HolidayAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "local_government_id"
    shared_rows = True
    form = HolidayForm

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    list_display = ["date", "name", "kind", "local_government"]
    list_filter = ["kind", "local_government"]
    search_fields = ["name"]
    date_hierarchy = "date"


@admin.register(Excuse)
class ExcuseAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "office__kecamatan__local_government_id"
    list_display = ["office", "date_from", "date_to", "reason", "created_by", "created_at"]
    list_filter = ["office__kecamatan"]
    search_fields = ["office__name", "office__code", "reason"]
    date_hierarchy = "date_from"
    autocomplete_fields = ["office"]
    readonly_fields = ["created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


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
        "status",
        "is_final",
        "scheduled_open",
        "opened_at",
        "minutes_late",
        "coverage",
        "first_arrival",
        "staffed_share",
        "evidence_observation_ids",
        "reason",
        "computed_at",
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
