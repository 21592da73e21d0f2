"""Who may see and do what. Roles are Django groups; a StaffProfile scopes them.

Every selector, view and API endpoint asks these functions, so the answer is the same in the
dashboard, the exports and the API:

- Wali Kota (mayor's office): read everything of their government, no camera settings.
- Diskominfo: manage offices, cameras, hours, holidays, excuses, complaints; exports.
- Camat: read and answer only for the offices of their own kecamatan.
- Auditor: read-only, including the audit log.
- Everyone else (the public): complaint form, status page, transparency page, Open311.

A superuser counts as Diskominfo of every government.
"""

from collections.abc import Sequence
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address, ip_network
from typing import cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AbstractUser, AnonymousUser
from django.db.models import Q, QuerySet
from django.http import HttpRequest

from places.models import AuditLogEntry, Kecamatan, LocalGovernment, Office


class Role(StrEnum):
    MAYOR = "Wali Kota"
    DISKOMINFO = "Diskominfo"
    CAMAT = "Camat"
    AUDITOR = "Auditor"


User = AbstractBaseUser | AnonymousUser


def roles_of(user: User) -> frozenset[Role]:
    """The user's roles (cached on the user object for the request)."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_km_roles", None)
    if cached is None:
        # AUTH_USER_MODEL is django.contrib.auth's User, which has groups and is_superuser.
        account = cast(AbstractUser | AnonymousUser, user)
        names = set(account.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        if account.is_superuser:
            cached = cached | {Role.DISKOMINFO}
        # A per-request cache, not a field of the user model.
        setattr(user, "_km_roles", cached)  # noqa: B010
    return cached


def is_staff_reader(user: User) -> bool:
    """May open the dashboard and read verdicts (any role)."""
    return bool(roles_of(user))


def can_manage(user: User) -> bool:
    """May change offices, cameras, hours, holidays, excuses, complaints and run exports."""
    return Role.DISKOMINFO in roles_of(user)


def can_write_shared_rows(user: User) -> bool:
    """May write rows shared by every government (national holidays, cuti bersama): only the
    deployment's superusers (and the holiday sync task, which runs without a user)."""
    return bool(user.is_authenticated and user.is_active and getattr(user, "is_superuser", False))


def can_write_row(user: User, government_id: int | None) -> bool:
    """The one write rule of the API, the admin and the pages: a row of one government is
    written by that government's Diskominfo (or a superuser); a shared row (`government_id`
    None) only by a superuser."""
    if government_id is None:
        return can_write_shared_rows(user)
    if not can_manage(user):
        return False
    if getattr(user, "is_superuser", False):
        return True
    own_government_id, _ = _profile_scope(user)
    return own_government_id == government_id


def can_export(user: User) -> bool:
    return bool(roles_of(user) & {Role.DISKOMINFO, Role.MAYOR, Role.AUDITOR})


def can_see_camera_settings(user: User) -> bool:
    return Role.DISKOMINFO in roles_of(user)


def can_read_audit_log(user: User) -> bool:
    return bool(roles_of(user) & {Role.DISKOMINFO, Role.AUDITOR})


def can_answer_complaints(user: User) -> bool:
    return bool(roles_of(user) & {Role.DISKOMINFO, Role.CAMAT})


def _profile_scope(user: User) -> tuple[int | None, int | None]:
    profile = getattr(user, "staff_profile", None)
    if profile is None:
        return None, None
    return profile.local_government_id, profile.kecamatan_id


def visible_governments(user: User) -> QuerySet[LocalGovernment]:
    roles = roles_of(user)
    if not roles:
        return LocalGovernment.objects.none()
    government_id, _ = _profile_scope(user)
    if government_id is None:
        # Only a superuser without a profile sees every government.
        superuser = getattr(user, "is_superuser", False)
        return LocalGovernment.objects.all() if superuser else LocalGovernment.objects.none()
    return LocalGovernment.objects.filter(pk=government_id)


def _scope(user: User, government_field: str, kecamatan_field: str) -> Q:
    """The user's government (a camat: their kecamatan) as a filter on the given fields."""
    roles = roles_of(user)
    if not roles:
        return Q(pk__in=[])
    government_id, kecamatan_id = _profile_scope(user)
    if government_id is None:
        if getattr(user, "is_superuser", False):
            return Q()
        return Q(pk__in=[])
    scope = Q(**{government_field: government_id})
    if roles <= {Role.CAMAT}:
        # A camat without a kecamatan sees nothing rather than everything.
        scope &= Q(**{kecamatan_field: kecamatan_id or -1})
    return scope


def office_scope(user: User, prefix: str = "") -> Q:
    """A filter for any query reaching offices through `prefix` (e.g. "office__")."""
    return _scope(user, f"{prefix}kecamatan__local_government_id", f"{prefix}kecamatan_id")


def camera_scope(user: User, prefix: str = "") -> Q:
    """A filter for cameras (reached through `prefix`, e.g. "camera__"), office or public-area.

    Cameras carry their own government and kecamatan, so public-area cameras without an office
    are scoped by the same rules as offices.
    """
    return _scope(user, f"{prefix}local_government_id", f"{prefix}kecamatan_id")


def user_government(user: User) -> LocalGovernment | None:
    """The one government a staff user works for (None for a superuser without a profile)."""
    profile = getattr(user, "staff_profile", None)
    return profile.local_government if profile is not None else None


def acting_government(user: User) -> LocalGovernment | None:
    """The government a staff user acts for: their own, or for a superuser without a profile the
    first one (a one-government deployment's only government)."""
    return user_government(user) or visible_governments(user).first()


def can_post_incidents(user: User) -> bool:
    return Role.DISKOMINFO in roles_of(user)


def visible_offices(user: User) -> QuerySet[Office]:
    return Office.objects.filter(office_scope(user))


def visible_kecamatan(user: User) -> QuerySet[Kecamatan]:
    return Kecamatan.objects.filter(pk__in=visible_offices(user).values("kecamatan_id"))


def export_government_code(user: User) -> str | None:
    """Exports cover the user's own government; None (every government) only for a superuser."""
    profile = getattr(user, "staff_profile", None)
    if profile is not None:
        return profile.local_government.code
    return None if getattr(user, "is_superuser", False) else "-"


def visible_reports_filter(user: User, prefix: str = "") -> Q:
    """Stored reports of the user's own government; rows from before reports were per
    government (no government) only for a superuser."""
    government_id, _ = _profile_scope(user)
    if government_id is not None:
        return Q(**{f"{prefix}local_government_id": government_id})
    if getattr(user, "is_superuser", False):
        return Q()
    return Q(pk__in=[])


def forwarded_client(
    remote_addr: str, forwarded_for: str, trusted: Sequence[IPv4Network | IPv6Network]
) -> str | None:
    """The client address: REMOTE_ADDR, unless that is a trusted proxy; then the right-most
    X-Forwarded-For entry that is not itself a trusted proxy (a client may write anything on
    the left of the header; only what our proxies appended counts). Invalid entries: None."""

    def parse(value: str) -> IPv4Address | IPv6Address | None:
        try:
            return ip_address(value.strip())
        except ValueError:
            return None

    def is_trusted(address: IPv4Address | IPv6Address) -> bool:
        return any(address in network for network in trusted)

    remote = parse(remote_addr)
    if remote is None:
        return None
    if not is_trusted(remote) or not forwarded_for:
        return str(remote)
    for entry in reversed(forwarded_for.split(",")):
        hop = parse(entry)
        if hop is None:
            # A garbled header: the last address we can vouch for is our own proxy's.
            return str(remote)
        if not is_trusted(hop):
            return str(hop)
        remote = hop
    return str(remote)


def trusted_proxies() -> list[IPv4Network | IPv6Network]:
    return [ip_network(entry.strip(), strict=False) for entry in settings.TRUSTED_PROXIES]


def client_ip(request: HttpRequest) -> str | None:
    """The client address: REMOTE_ADDR, or what a configured trusted proxy (TRUSTED_PROXIES)
    forwarded in X-Forwarded-For. Lockouts, limits and the audit log key on this."""
    return forwarded_client(
        request.META.get("REMOTE_ADDR", ""),
        request.META.get("HTTP_X_FORWARDED_FOR", ""),
        trusted_proxies(),
    )


def audit(request: HttpRequest, action: str, target: str, government_id: int | None = None) -> None:
    """Record access to evidence, exports and staff changes.

    The entry belongs to `government_id` (the government whose data was touched) or, without
    it, to the acting user's own government; it is read only within that government.
    """
    user = request.user if request.user.is_authenticated else None
    if government_id is None:
        government_id, _ = _profile_scope(request.user)
    AuditLogEntry.objects.create(
        user=user,
        action=action,
        target=target[:255],
        ip_address=client_ip(request),
        local_government_id=government_id,
    )


def visible_audit_log(user: User) -> QuerySet[AuditLogEntry]:
    """Audit entries of the user's own government (every entry only for a superuser without a
    profile); nothing for users who may not read the audit log."""
    if not can_read_audit_log(user):
        return AuditLogEntry.objects.none()
    government_id, _ = _profile_scope(user)
    if government_id is not None:
        return AuditLogEntry.objects.filter(local_government_id=government_id)
    if getattr(user, "is_superuser", False):
        return AuditLogEntry.objects.all()
    return AuditLogEntry.objects.none()
