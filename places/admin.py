from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from kelurahan_monitor import roles
from kelurahan_monitor.admin_scoping import GovernmentScopeMixin
from places.models import (
    AuditLogEntry,
    Excuse,
    Holiday,
    Kecamatan,
    LocalGovernment,
    Office,
    OpeningHours,
    SpecialPeriod,
    SpecialPeriodHours,
)


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


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    """Read-only, and like the API: each government reads only its own entries."""

    government_lookup = "local_government_id"
    list_display = ["created_at", "user", "action", "target", "ip_address", "local_government"]
    list_filter = ["action", "local_government"]
    search_fields = ["action", "target", "user__username"]
    date_hierarchy = "created_at"
    list_select_related = ["user", "local_government"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
