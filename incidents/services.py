"""Posting, editing and removing incidents; every change goes to the audit log."""

from datetime import datetime

from django.core.files.base import ContentFile
from django.db import transaction

from cameras.models import Camera
from incidents.models import Incident
from places.models import AuditLogEntry

AUDITED_FIELDS = (
    "kind",
    "title",
    "description",
    "place",
    "latitude",
    "longitude",
    "severity",
    "camera",
    "starts_at",
    "expires_at",
)


def _audit(user, action: str, incident: Incident, detail: str = "", ip: str | None = None) -> None:
    target = f"incident {incident.pk} {incident.local_government.code}: {detail}".strip(": ")
    AuditLogEntry.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        action=action,
        target=target[:255],
        ip_address=ip,
        local_government_id=incident.local_government_id,
    )


def attach_camera_still(incident: Incident) -> bool:
    """Copy the linked camera's latest public (fully blurred) still into the post.

    Only a public camera has such a still; an office or non-public camera attaches nothing,
    because a post is public. Returns whether a picture was attached.
    """
    camera: Camera | None = incident.camera
    if camera is None or not camera.is_public:
        return False
    still = camera.stills.exclude(public_image="").order_by("-slot").only("public_image").first()
    if still is None:
        return False
    with still.public_image.open("rb") as handle:
        content = handle.read()
    incident.still.save(f"{incident.local_government.code}/{incident.pk}.jpg", ContentFile(content))
    return True


@transaction.atomic
def post_incident(incident: Incident, user, ip: str | None = None) -> Incident:
    """Save a new post made by `user` and attach its camera's still."""
    incident.created_by = user if user.is_authenticated else None
    incident.save()
    attach_camera_still(incident)
    _audit(user, "incident.create", incident, incident.title, ip)
    return incident


@transaction.atomic
def update_incident(incident: Incident, before: dict, user, ip: str | None = None) -> Incident:
    """Save an edited post; the audit entry names the fields that changed."""
    changed = [name for name in AUDITED_FIELDS if before.get(name) != _value(incident, name)]
    incident.save()
    if "camera" in changed:
        incident.still.delete(save=False)
        incident.still = ""
        attach_camera_still(incident)
        incident.save(update_fields=["still"])
    _audit(user, "incident.update", incident, ",".join(changed) or "-", ip)
    return incident


@transaction.atomic
def remove_incident(incident: Incident, user, now: datetime, ip: str | None = None) -> bool:
    """Take a post off the public page; the row and its audit trail stay. False if already."""
    taken = Incident.objects.filter(pk=incident.pk, removed_at__isnull=True).update(removed_at=now)
    if taken:
        _audit(user, "incident.remove", incident, incident.title, ip)
    return bool(taken)


def snapshot(incident: Incident) -> dict:
    """The audited fields' values, to compare after an edit."""
    return {name: _value(incident, name) for name in AUDITED_FIELDS}


def _value(incident: Incident, name: str):
    return incident.camera_id if name == "camera" else getattr(incident, name)
