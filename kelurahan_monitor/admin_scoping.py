"""The admin follows the same rule as the pages and the API: one government per staff user.

A Diskominfo or auditor account of Kabupaten Konawe opens the admin and finds only Konawe's rows,
and every choice list (government, kecamatan, office, camera) offers only Konawe's. Rows shared
by every government (national holidays) are visible but only a superuser changes them.
"""

from django.contrib import admin
from django.contrib.admin.utils import get_fields_from_path
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from kelurahan_monitor import roles

# Lookup from each related model to its government id, for narrowing choice lists.
_CHOICE_SCOPES = {
    "local_government": "pk",
    "kecamatan": "local_government_id",
    "office": "kecamatan__local_government_id",
    "camera": "local_government_id",
    "observation": "camera__local_government_id",
    "verdict": "office__kecamatan__local_government_id",
    "period": "local_government_id",
    "complaint": "office__kecamatan__local_government_id",
}


def staff_government_id(request: HttpRequest) -> int | None:
    profile = getattr(request.user, "staff_profile", None)
    return profile.local_government_id if profile is not None else None


class GovernmentScopeMixin:
    """For ModelAdmin and inlines. `government_lookup` leads from the model to its government's
    id (e.g. "office__kecamatan__local_government_id"); `shared_rows` shows rows whose
    government is empty (read-only for non-superusers)."""

    government_lookup: str = "local_government_id"
    shared_rows: bool = False

    def _scope(self, request: HttpRequest) -> Q | None:
        if request.user.is_superuser:
            return None
        government_id = staff_government_id(request)
        if government_id is None:
            return Q(pk__in=[])
        scope = Q(**{self.government_lookup: government_id})
        if self.shared_rows:
            scope |= Q(**{self.government_lookup.removesuffix("_id") + "__isnull": True})
        return scope

    def get_queryset(self, request: HttpRequest) -> QuerySet:
        queryset = super().get_queryset(request)  # type: ignore[misc]
        scope = self._scope(request)
        return queryset if scope is None else queryset.filter(scope)

    def get_list_filter(self, request: HttpRequest):
        """Related filters list only values present in the user's rows (not every kecamatan
        of every government)."""
        filters = super().get_list_filter(request)  # type: ignore[misc]
        if request.user.is_superuser:
            return filters
        scoped = []
        for entry in filters:
            if isinstance(entry, str) and get_fields_from_path(self.model, entry)[-1].is_relation:  # type: ignore[attr-defined]
                entry = (entry, admin.RelatedOnlyFieldListFilter)
            scoped.append(entry)
        return scoped

    def formfield_for_foreignkey(self, db_field, request: HttpRequest, **kwargs):
        lookup = _CHOICE_SCOPES.get(db_field.name)
        if lookup is not None and not request.user.is_superuser:
            government_id = staff_government_id(request)
            choices = db_field.remote_field.model._default_manager.all()
            kwargs["queryset"] = (
                choices.filter(**{lookup: government_id}) if government_id else choices.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)  # type: ignore[misc]

    def _is_shared(self, request: HttpRequest, obj) -> bool:
        """A row of every government (e.g. a national holiday) seen by a non-superuser."""
        field = self.government_lookup.split("__")[0].removesuffix("_id")
        return (
            obj is not None
            and self.shared_rows
            and getattr(obj, field, None) is None
            and not roles.can_write_row(request.user, None)
        )

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        if self._is_shared(request, obj):
            return False
        return super().has_change_permission(request, obj)  # type: ignore[misc]

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        if self._is_shared(request, obj):
            return False
        return super().has_delete_permission(request, obj)  # type: ignore[misc]


class ScopedModelAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    pass
