from django.contrib.auth.base_user import AbstractBaseUser
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import PermissionDenied

from compliance.models import VERDICT_COMPUTED_FIELDS, DailyVerdict, VerdictStatus
from kelurahan_monitor import roles
from kelurahan_monitor.api.scoping import ScopedSerializer
from places.models import AuditLogEntry, Excuse, Holiday, Kecamatan, Office, OpeningHours


class KecamatanSerializer(serializers.ModelSerializer):
    class Meta:
        model = Kecamatan
        fields = ["id", "code", "name", "local_government", "latitude", "longitude"]


class OfficeSerializer(ScopedSerializer):
    kecamatan_name = serializers.CharField(source="kecamatan.name", read_only=True)

    class Meta:
        model = Office
        fields = [
            "id",
            "code",
            "name",
            "alternative_name",
            "kecamatan",
            "kecamatan_name",
            "address",
            "latitude",
            "longitude",
            "active",
            "opening_interval_minutes",
            "open_checks_needed",
            "coverage_threshold",
            "after_hours_checks",
            "night_checks",
        ]

    def validate_coverage_threshold(self, value: float) -> float:
        if not 0 <= value <= 1:
            raise serializers.ValidationError("coverage_threshold is a share between 0 and 1")
        return value

    def validate_opening_interval_minutes(self, value: int) -> int:
        if not 1 <= value <= 60:
            raise serializers.ValidationError("between 1 and 60 minutes")
        return value

    def validate_open_checks_needed(self, value: int) -> int:
        if not 1 <= value <= 10:
            raise serializers.ValidationError("between 1 and 10 checks")
        return value


@extend_schema_field(
    {
        "type": "string",
        "pattern": r"^([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?$",
        "example": "07:30:00",
        "description": "Local wall-clock time of the office's zone, without an offset.",
    }
)
class LocalTimeField(serializers.TimeField):
    """A local time of day. OpenAPI's "time" format is RFC 3339's full-time, which needs an
    offset; opening hours have none (they follow the office's zone)."""


class OpeningHoursSerializer(ScopedSerializer):
    opens_at = LocalTimeField()
    closes_at = LocalTimeField()

    class Meta:
        model = OpeningHours
        fields = [
            "id",
            "local_government",
            "office",
            "weekday",
            "opens_at",
            "closes_at",
            "grace_minutes",
            "min_staff",
        ]

    def validate(self, attrs: dict) -> dict:
        opens = attrs.get("opens_at", getattr(self.instance, "opens_at", None))
        closes = attrs.get("closes_at", getattr(self.instance, "closes_at", None))
        if opens and closes and closes <= opens:
            raise serializers.ValidationError({"closes_at": "must be after opens_at"})
        if attrs.get("min_staff", 1) < 1:
            raise serializers.ValidationError({"min_staff": "at least 1"})
        if attrs.get("grace_minutes", 0) > 240:
            raise serializers.ValidationError({"grace_minutes": "at most 240"})
        stored = self.instance if self.partial else None
        office = attrs.get("office") if "office" in attrs or stored is None else stored.office
        government = attrs.get("local_government") or (
            stored.local_government if stored is not None else None
        )
        if office is not None:
            office_government_id = office.kecamatan.local_government_id
            if government is not None and government.pk != office_government_id:
                raise serializers.ValidationError(
                    {"local_government": "the office belongs to another local government"}
                )
            attrs["local_government"] = office.kecamatan.local_government
        elif government is None:
            raise serializers.ValidationError(
                {"local_government": "required for a government's default hours (no office)"}
            )
        weekday = attrs.get("weekday", getattr(self.instance, "weekday", -1))
        same = OpeningHours.objects.filter(weekday=weekday)
        if office is not None:
            same = same.filter(office=office)
        else:
            same = same.filter(office__isnull=True, local_government=attrs["local_government"])
        if self.instance is not None:
            same = same.exclude(pk=self.instance.pk)
        if same.exists():
            raise serializers.ValidationError({"weekday": "hours for this weekday already exist"})
        return attrs


class HolidaySerializer(ScopedSerializer):
    class Meta:
        model = Holiday
        fields = ["id", "date", "name", "kind", "local_government"]

    def validate(self, attrs: dict) -> dict:
        kind = attrs.get("kind", getattr(self.instance, "kind", None))
        government = attrs.get("local_government", getattr(self.instance, "local_government", None))
        if (kind == Holiday.Kind.LOCAL) != (government is not None):
            raise serializers.ValidationError(
                {"local_government": "required for local holidays, empty otherwise"}
            )
        if not roles.can_write_row(self._user(), government.pk if government else None):
            # Turning a local holiday into a national one (or creating one) is a superuser's.
            raise PermissionDenied("national holidays are maintained by the deployment")
        day = attrs.get("date", getattr(self.instance, "date", None))
        if day is not None:
            same_day = Holiday.objects.filter(local_government=government, date=day)
            if self.instance is not None:
                same_day = same_day.exclude(pk=self.instance.pk)
            if same_day.exists():
                raise serializers.ValidationError({"date": "a holiday on this date already exists"})
        return attrs


class ExcuseSerializer(ScopedSerializer):
    created_by: serializers.StringRelatedField[AbstractBaseUser] = serializers.StringRelatedField(
        read_only=True
    )

    class Meta:
        model = Excuse
        fields = ["id", "office", "date_from", "date_to", "reason", "created_by", "created_at"]

    def validate(self, attrs: dict) -> dict:
        first = attrs.get("date_from", getattr(self.instance, "date_from", None))
        last = attrs.get("date_to", getattr(self.instance, "date_to", None))
        if first and last and last < first:
            raise serializers.ValidationError({"date_to": "must not be before date_from"})
        return attrs


class VerdictSerializer(serializers.ModelSerializer):
    office_code = serializers.CharField(source="office.code", read_only=True)
    office_name = serializers.CharField(source="office.name", read_only=True)
    kecamatan = serializers.CharField(source="office.kecamatan.name", read_only=True)
    effective_status = serializers.CharField(read_only=True)
    # Empty while no staff member corrected the computed verdict.
    override_status = serializers.ChoiceField(
        choices=VerdictStatus.choices, allow_blank=True, read_only=True
    )

    class Meta:
        model = DailyVerdict
        fields = [
            "id",
            "office",
            "office_code",
            "office_name",
            "kecamatan",
            "date",
            *VERDICT_COMPUTED_FIELDS,
            "effective_status",
            "override_status",
            "override_reason",
        ]
        read_only_fields = fields


class AuditLogEntrySerializer(serializers.ModelSerializer):
    user: serializers.StringRelatedField[AbstractBaseUser] = serializers.StringRelatedField()

    class Meta:
        model = AuditLogEntry
        fields = ["id", "user", "local_government", "action", "target", "ip_address", "created_at"]
