from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from cameras import services
from cameras.domain.placement import PlacementError
from cameras.models import Camera, CameraGroup, CameraStill, Evidence, Observation
from cameras.source_validation import check_source_url, shown_source_url
from kelurahan_monitor.admin_scoping import GovernmentScopeMixin

PLACEMENT_MESSAGES = {
    PlacementError.OFFICE_MISSING: _("Kamera kantor harus memilih kantornya."),
    PlacementError.OFFICE_CAMERA_PUBLIC: _("Kamera kantor tidak pernah ditampilkan ke publik."),
    PlacementError.PUBLIC_AREA_WITH_OFFICE: _("Kamera area publik tidak terikat pada kantor."),
    PlacementError.GOVERNMENT_MISSING: _("Pilih pemerintah daerahnya."),
    PlacementError.KECAMATAN_ELSEWHERE: _("Kecamatan ini milik pemerintah daerah lain."),
}


class CameraForm(forms.ModelForm):
    # Credentials are write-only: the form never renders the stored value back.
    username = forms.CharField(
        label=_("nama pengguna"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Kosongkan agar tetap memakai yang tersimpan."),
    )
    password = forms.CharField(
        label=_("kata sandi"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("Kosongkan agar tetap memakai yang tersimpan."),
    )

    class Meta:
        model = Camera
        fields = [
            "kind",
            "office",
            "local_government",
            "kecamatan",
            "name",
            "location_name",
            "latitude",
            "longitude",
            "is_public",
            "crowd_busy_at",
            "crowd_packed_at",
            "source_url",
            "username",
            "password",
            "enabled",
            "timeout_seconds",
            "detector",
            "staff_zone",
            "ignore_zones",
        ]

    # Set by CameraAdmin.get_form: who may set which sources depends on the writer.
    user = None

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.initial.pop("username", None)
        self.initial.pop("password", None)
        if self.instance.pk and "source_url" in self.initial:
            # An address stored before credentials were refused is shown redacted; saving it
            # unchanged asks for the credential fields.
            self.initial["source_url"] = shown_source_url(self.instance.source_url)
        # An office camera takes its government from the office (see clean()). A read-only
        # view (an auditor) has no fields at all.
        if "local_government" in self.fields:
            self.fields["local_government"].required = False

    def clean_source_url(self) -> str:
        url = self.cleaned_data["source_url"]
        check_source_url(url, writer=self.user, stored=self.instance.source_url or "")
        return url

    def clean(self) -> dict:
        # ModelForm.clean() returns self.cleaned_data; the stubs widen it to Optional.
        super().clean()
        cleaned = self.cleaned_data
        for name in ("username", "password"):
            if not cleaned.get(name) and self.instance.pk:
                cleaned[name] = getattr(self.instance, name)
        placement = services.resolve_placement(
            cleaned.get("kind"),
            cleaned.get("office"),
            cleaned.get("local_government"),
            cleaned.get("kecamatan"),
            is_public=bool(cleaned.get("is_public")),
        )
        cleaned["local_government"], cleaned["kecamatan"] = (
            placement.government,
            placement.kecamatan,
        )
        for field, error in placement.errors.items():
            self.add_error(field, PLACEMENT_MESSAGES[error])
        busy, packed = cleaned.get("crowd_busy_at"), cleaned.get("crowd_packed_at")
        if busy is not None and packed is not None and packed <= busy:
            self.add_error("crowd_packed_at", _("Harus lebih besar dari ambang ramai."))
        return cleaned

    def _post_clean(self) -> None:
        # Fields filled in clean() must reach the instance before model validation.
        for name in ("local_government", "kecamatan"):
            if name in self.cleaned_data:
                setattr(self.instance, name, self.cleaned_data[name])
        super()._post_clean()  # type: ignore[misc]  # private hook missing from django-stubs


@admin.register(Camera)
class CameraAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "local_government_id"
    form = CameraForm
    list_display = [
        "name",
        "kind",
        "office",
        "local_government",
        "is_public",
        "enabled",
        "health_state",
    ]
    list_filter = ["kind", "is_public", "enabled", "health_state", "local_government", "kecamatan"]
    search_fields = ["name", "location_name", "office__name", "office__code"]
    list_select_related = ["office", "local_government"]
    autocomplete_fields = ["office"]
    readonly_fields = ["has_reference_view", "health_state", "health_since", "created_at"]
    exclude = ["reference_signature"]
    actions = ["learn_reference_view"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"user": request.user})

    @admin.display(boolean=True, description=_("tampilan acuan"))
    def has_reference_view(self, camera: Camera) -> bool:
        return bool(camera.reference_signature)

    @admin.action(description=_("Pelajari tampilan acuan (jalankan saat kantor kosong)"))
    def learn_reference_view(self, request, queryset):
        for camera in queryset:
            try:
                used = services.capture_reference_view(camera.pk)
            except services.ReferenceRefused as exc:
                self.message_user(request, f"{camera}: {exc}", level=messages.WARNING)
            else:
                self.message_user(
                    request,
                    _("%(camera)s: tampilan acuan dari %(n)s gambar.")
                    % {"camera": camera, "n": used},
                )


@admin.register(Observation)
class ObservationAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "camera__local_government_id"
    list_display = [
        "slot",
        "camera",
        "kind",
        "status",
        "people_count",
        "people_in_zone",
        "detector_name",
    ]
    list_filter = ["status", "kind", "office_date", "camera__office__kecamatan"]
    search_fields = ["camera__name", "camera__office__name", "camera__office__code"]
    date_hierarchy = "slot"
    list_select_related = ["camera__office"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Observation._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Evidence)
class EvidenceAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "observation__camera__local_government_id"
    list_display = ["observation", "width", "height", "created_at"]
    list_select_related = ["observation__camera__office"]
    readonly_fields = ["observation", "image", "width", "height", "created_at"]
    date_hierarchy = "created_at"

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(CameraGroup)
class CameraGroupAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "local_government_id"
    list_display = ["name", "local_government", "position"]
    list_filter = ["local_government"]
    filter_horizontal = ["cameras"]


@admin.register(CameraStill)
class CameraStillAdmin(GovernmentScopeMixin, admin.ModelAdmin):
    government_lookup = "camera__local_government_id"
    list_display = ["slot", "camera", "status", "people_count", "duration_ms"]
    list_filter = ["status", "camera__local_government"]
    date_hierarchy = "slot"
    list_select_related = ["camera__office"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in CameraStill._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False
