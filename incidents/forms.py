from datetime import datetime, timedelta, tzinfo
from typing import Any, cast
from zoneinfo import ZoneInfo

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cameras.models import Camera
from incidents.models import Incident
from places.models import LocalGovernment

MAX_DURATION = timedelta(days=14)
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class GovernmentDateTimeField(forms.DateTimeField):
    """A wall-clock time read and shown in the government's own zone (`zone`, set by the
    form), whatever the deployment's default zone is."""

    zone: tzinfo | None = None

    def to_python(self, value: Any) -> datetime | None:
        if self.zone is None:
            return super().to_python(value)
        with timezone.override(self.zone):
            return super().to_python(value)

    def prepare_value(self, value: Any) -> Any:
        if self.zone is not None and isinstance(value, datetime) and timezone.is_aware(value):
            return timezone.localtime(value, self.zone)
        return super().prepare_value(value)


class IncidentForm(forms.ModelForm):
    """An operator's post. Times are entered and shown in the government's own zone."""

    # datetime-local accepts only "YYYY-MM-DDTHH:MM"; any other value shows an empty field.
    starts_at = GovernmentDateTimeField(
        label=_("mulai"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )
    expires_at = GovernmentDateTimeField(
        label=_("berakhir"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=DATETIME_LOCAL),
        input_formats=[DATETIME_LOCAL, "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"],
    )

    class Meta:
        model = Incident
        fields = [
            "kind",
            "severity",
            "title",
            "place",
            "description",
            "latitude",
            "longitude",
            "camera",
            "starts_at",
            "expires_at",
        ]
        widgets = {"description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args: Any, government: LocalGovernment, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.government = government
        self.zone = ZoneInfo(government.time_zone)
        for name in ("starts_at", "expires_at"):
            cast("GovernmentDateTimeField", self.fields[name]).zone = self.zone
        # Only this government's cameras; a post's picture can only come from a public one.
        # A post keeps its camera even after the camera is disabled (editing a typo must not
        # unlink it and drop its picture).
        camera_field = cast("forms.ModelChoiceField[Camera]", self.fields["camera"])
        camera_field.queryset = Camera.objects.filter(
            Q(enabled=True) | Q(pk=self.instance.camera_id), local_government=government
        ).order_by("kind", "name")
        self.fields["camera"].help_text = _(
            "Gambar (semua orang diburamkan) hanya dilampirkan dari kamera publik."
        )
        if not self.instance.pk:
            now = timezone.localtime(timezone=self.zone).replace(second=0, microsecond=0)
            self.initial.setdefault("starts_at", now)
            self.initial.setdefault("expires_at", now + timedelta(hours=3))

    def clean_latitude(self):
        value = self.cleaned_data.get("latitude")
        if value is not None and not -90 <= value <= 90:
            raise forms.ValidationError(_("Lintang harus antara -90 dan 90."))
        return value

    def clean_longitude(self):
        value = self.cleaned_data.get("longitude")
        if value is not None and not -180 <= value <= 180:
            raise forms.ValidationError(_("Bujur harus antara -180 dan 180."))
        return value

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # noqa: S101 - ModelForm.clean() returns cleaned_data
        starts, expires = cleaned.get("starts_at"), cleaned.get("expires_at")
        if starts and expires:
            if expires <= starts:
                self.add_error("expires_at", _("Waktu berakhir harus setelah waktu mulai."))
            elif expires - starts > MAX_DURATION:
                self.add_error(
                    "expires_at",
                    _("Paling lama 14 hari; buat kiriman baru bila masih berlangsung."),
                )
        if (cleaned.get("latitude") is None) != (cleaned.get("longitude") is None):
            self.add_error(
                "longitude", _("Isi lintang dan bujur bersama-sama, atau kosongkan keduanya.")
            )
        return cleaned

    def save(self, commit: bool = True) -> Incident:
        incident = super().save(commit=False)
        incident.local_government = self.government
        if commit:
            incident.save()
        return incident
