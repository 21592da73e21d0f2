from django.contrib import admin

from incidents.models import Incident
from kelurahan_monitor.admin_scoping import GovernmentScopeMixin


@admin.register(Incident)
class IncidentAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    """Read-only here: posts are made and changed on the audited operator pages."""

    government_lookup = "local_government_id"

    list_display = [
        "title",
        "kind",
        "severity",
        "local_government",
        "starts_at",
        "expires_at",
        "removed_at",
    ]
    list_filter = ["kind", "severity", "local_government"]
    search_fields = ["title", "place"]
    date_hierarchy = "starts_at"

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Incident._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
