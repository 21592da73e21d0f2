from django.contrib import admin

from complaints.models import Complaint, ComplaintEvent
from kelurahan_monitor.admin_scoping import GovernmentScopeMixin


class ComplaintEventInline(GovernmentScopeMixin, admin.TabularInline):
    government_lookup = "complaint__office__kecamatan__local_government_id"
    model = ComplaintEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "actor", "action", "from_status", "to_status", "details")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Complaint)
class ComplaintAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "office__kecamatan__local_government_id"
    list_display = ("tracking_code", "office", "visited_at", "kind", "status", "verification")
    list_filter = ("status", "verification", "kind", "source")
    search_fields = ("tracking_code", "office__name")
    # Changes go through the triage pages (services + audit trail); the admin only reads.
    readonly_fields = [field.name for field in Complaint._meta.fields]
    inlines = [ComplaintEventInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
