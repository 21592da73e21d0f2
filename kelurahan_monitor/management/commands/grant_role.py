from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from kelurahan_monitor.roles import Role
from places.models import Kecamatan, LocalGovernment, StaffProfile

# What each role may do in the admin (the dashboard and API ask kelurahan_monitor.roles).
ADMIN_APPS = ("places", "compliance", "cameras", "reports", "complaints")
MANAGED_BY_DISKOMINFO = ("add", "change", "delete", "view")


class Command(BaseCommand):
    help = (
        "Give USERNAME a role (Wali Kota, Diskominfo, Camat, Auditor) in a local government; "
        "a camat needs --kecamatan. Diskominfo and auditors also get the admin (manage / view)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("role", choices=[role.value for role in Role])
        parser.add_argument("--government", default="74.71", help="Kemendagri code")
        parser.add_argument("--kecamatan", help="Kemendagri code of the camat's kecamatan")
        parser.add_argument("--create", action="store_true", help="create the user if missing")

    @transaction.atomic
    def handle(self, *args: object, **options: str) -> None:
        role = Role(options["role"])
        users = get_user_model().objects
        user = users.filter(username=options["username"]).first()
        if user is None:
            if not options["create"]:
                raise CommandError(f"no user {options['username']!r} (use --create)")
            user = users.create_user(username=options["username"])
            self.stdout.write("created the user without a password: set one with changepassword")
        try:
            government = LocalGovernment.objects.get(code=options["government"])
            kecamatan = (
                Kecamatan.objects.get(code=options["kecamatan"], local_government=government)
                if options["kecamatan"]
                else None
            )
        except (LocalGovernment.DoesNotExist, Kecamatan.DoesNotExist) as exc:
            raise CommandError(str(exc)) from exc
        if role is Role.CAMAT and kecamatan is None:
            raise CommandError("a camat needs --kecamatan")
        group, _ = Group.objects.get_or_create(name=role.value)
        self._grant_admin_permissions(group, role)
        user.groups.add(group)
        StaffProfile.objects.update_or_create(
            user=user, defaults={"local_government": government, "kecamatan": kecamatan}
        )
        if role in (Role.DISKOMINFO, Role.AUDITOR) and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        self.stdout.write(f"{user.username} is now {role.value} of {government}")

    def _grant_admin_permissions(self, group: Group, role: Role) -> None:
        permissions = Permission.objects.filter(content_type__app_label__in=ADMIN_APPS)
        if role is Role.DISKOMINFO:
            group.permissions.add(
                *permissions.filter(codename__regex=r"^(add|change|delete|view)_")
            )
        elif role is Role.AUDITOR:
            group.permissions.add(*permissions.filter(codename__startswith="view_"))
