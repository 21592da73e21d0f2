"""Complaint input validation, shared by the web form and the Open311 endpoint."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from typing import Any, cast

from django import forms
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from complaints.models import ComplaintKind
from complaints.photos import MAX_PHOTO_BYTES, PhotoRejected, clean_photo
from places.calendar import zone_of
from places.models import Office

MAX_AGE = timedelta(days=30)
# Phones' clocks drift; a visit "now" typed on a phone a few minutes fast is not in the future.
CLOCK_SKEW = timedelta(minutes=10)
# Anything that looks like a tag, a script URL or an event handler attribute.
_MARKUP = re.compile(r"<\s*[a-zA-Z!/?]|javascript\s*:|\bon[a-z]+\s*=", re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_PHONE = re.compile(r"^08\d{7,11}$")
MAX_REQUEST_BYTES = MAX_PHOTO_BYTES + 512 * 1024

_PHOTO_MESSAGES = {
    "too_large": _("Foto terlalu besar. Ukuran maksimal 5 MB."),
    "format": _("Foto harus berformat JPEG atau PNG."),
    "dimensions": _("Ukuran gambar foto tidak wajar. Kirim foto biasa dari kamera ponsel."),
    "undecodable": _("Foto tidak dapat dibaca. Pastikan berkas adalah gambar JPEG atau PNG."),
}


def request_too_large(meta: dict) -> bool:
    """True when the declared body is far over the photo limit (refused before parsing)."""
    try:
        return int(meta.get("CONTENT_LENGTH") or 0) > MAX_REQUEST_BYTES
    except ValueError:
        return True


def reject_markup(value: str) -> None:
    if _MARKUP.search(value):
        raise ValidationError(
            _("Teks tidak boleh berisi kode HTML atau skrip (misalnya tanda < diikuti huruf)."),
            code="markup",
        )
    if _CONTROL.search(value):
        raise ValidationError(_("Teks berisi karakter yang tidak diizinkan."), code="control")


def normalise_phone(value: str) -> str:
    """Digits in the national form: "+62 812-3456-7890" and "0812 3456 7890" are one number."""
    phone = re.sub(r"[\s\-().]", "", value)
    for prefix in ("+62", "62"):
        if phone.startswith(prefix + "8"):
            return "0" + phone[len(prefix) :]
    return phone


class OfficeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Office) -> str:
        return f"{obj.name} — {obj.kecamatan.name}"


class ComplaintForm(forms.Form):
    office = OfficeChoiceField(
        label=_("Kelurahan"),
        queryset=Office.objects.filter(active=True).select_related("kecamatan__local_government"),
        to_field_name="code",
        empty_label=_("— Pilih kelurahan —"),
        error_messages={
            "required": _("Pilih kantor kelurahan yang Anda datangi."),
            "invalid_choice": _("Kantor kelurahan tidak dikenal. Pilih dari daftar."),
        },
    )
    visit_date = forms.DateField(
        label=_("Tanggal kunjungan"),
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={
            "required": _("Isi tanggal kunjungan."),
            "invalid": _("Tanggal kunjungan tidak valid."),
        },
    )
    visit_time = forms.TimeField(  # labelled with the zone in __init__
        widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={
            "required": _("Isi jam kunjungan."),
            "invalid": _("Jam kunjungan tidak valid (contoh 08:30)."),
        },
    )
    kind = forms.ChoiceField(
        label=_("Apa yang terjadi?"),
        choices=ComplaintKind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": _("Pilih apa yang terjadi."),
            "invalid_choice": _("Pilihan kejadian tidak dikenal."),
        },
    )
    description = forms.CharField(
        label=_("Ceritakan singkat"),
        min_length=10,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_markup],
        error_messages={
            "required": _("Tuliskan uraian singkat kejadian."),
            "min_length": _("Uraian terlalu pendek (minimal %(limit_value)d karakter)."),
            "max_length": _("Uraian terlalu panjang (maksimal %(limit_value)d karakter)."),
        },
    )
    photo = forms.FileField(
        label=_("Foto (opsional, JPEG/PNG, maks. 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
        error_messages={"invalid": _("Foto tidak dapat dibaca.")},
    )
    phone = forms.CharField(
        label=_("Nomor HP (opsional, tidak ditampilkan)"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"max_length": _("Nomor HP terlalu panjang.")},
    )
    email = forms.EmailField(
        label=_("E-mail (opsional, tidak ditampilkan)"),
        required=False,
        max_length=254,
        error_messages={"invalid": _("Alamat e-mail tidak valid.")},
    )
    # Honeypot: hidden from people by CSS; bots that fill every field give themselves away.
    website = forms.CharField(required=False, label=_("Jangan diisi"))

    def __init__(self, *args: Any, now: datetime, zone: str, **kwargs: Any) -> None:
        """`zone`: the label of the zone the visit time is read in (the offices' zone)."""
        super().__init__(*args, **kwargs)
        self.now = now
        self.fields["visit_time"].label = _("Jam kunjungan (%(zone)s)") % {"zone": zone}
        self.photo_jpeg: bytes | None = None

    @property
    def honeypot_filled(self) -> bool:
        return bool((self.data.get("website") or "").strip())

    def clean_phone(self) -> str:
        phone = normalise_phone(self.cleaned_data.get("phone") or "")
        if phone and not _PHONE.match(phone):
            raise ValidationError(
                _("Nomor HP tidak valid. Contoh: 081234567890."), code="invalid_phone"
            )
        return phone

    def clean_email(self) -> str:
        return (self.cleaned_data.get("email") or "").strip().lower()

    def clean_photo(self) -> object:
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if upload.size > MAX_PHOTO_BYTES:
            raise ValidationError(_PHOTO_MESSAGES["too_large"], code="too_large")
        data = upload.read(MAX_PHOTO_BYTES + 1)
        try:
            self.photo_jpeg = clean_photo(data)
        except PhotoRejected as rejected:
            raise ValidationError(_PHOTO_MESSAGES[rejected.code], code=rejected.code) from None
        return upload

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        assert cleaned is not None  # noqa: S101 - Form.clean() returns cleaned_data
        office, day, clock = (
            cleaned.get("office"),
            cleaned.get("visit_date"),
            cleaned.get("visit_time"),
        )
        if office is None or day is None or clock is None:
            return cleaned
        visited_at = datetime.combine(day, clock.replace(second=0, microsecond=0)).replace(
            tzinfo=zone_of(office)
        )
        if visited_at > self.now + CLOCK_SKEW:
            self.add_error("visit_date", _("Waktu kunjungan tidak boleh di masa depan."))
        elif visited_at < self.now - MAX_AGE:
            self.add_error(
                "visit_date",
                _("Kunjungan lebih dari 30 hari yang lalu tidak dapat diadukan di sini."),
            )
        else:
            cleaned["visited_at"] = visited_at
        return cleaned


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label=_("Tanggapan Anda atas jawaban"),
        min_length=5,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        validators=[reject_markup],
        error_messages={
            "required": _("Tuliskan tanggapan Anda."),
            "min_length": _("Tanggapan terlalu pendek."),
            "max_length": _("Tanggapan terlalu panjang (maksimal %(limit_value)d karakter)."),
        },
    )


class TrackForm(forms.Form):
    code = forms.CharField(label=_("Kode lacak"), max_length=20)


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[AbstractBaseUser] = forms.ModelChoiceField(
        label=_("Ditangani oleh"), queryset=None, required=False, empty_label=_("— Tidak ada —")
    )

    def __init__(self, *args: Any, users: QuerySet[AbstractBaseUser], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast("forms.ModelChoiceField[AbstractBaseUser]", self.fields["assignee"]).queryset = users


class AnswerForm(forms.Form):
    answer = forms.CharField(
        label=_("Jawaban untuk warga (ditampilkan di halaman status)"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        validators=[reject_markup],
    )
