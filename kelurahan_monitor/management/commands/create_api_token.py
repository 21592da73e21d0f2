from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = (
        "Create (or show) the API token of USERNAME for `Authorization: Token <key>`. "
        "The token is the last word of the output."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("username")
        parser.add_argument("--reset", action="store_true", help="replace an existing token")

    def handle(self, *args: object, username: str, reset: bool, **options: object) -> None:
        try:
            user = get_user_model().objects.get(username=username, is_active=True)
        except get_user_model().DoesNotExist as exc:
            raise CommandError(f"no active user {username!r}") from exc
        if reset:
            Token.objects.filter(user=user).delete()
        token, created = Token.objects.get_or_create(user=user)
        self.stdout.write(
            f"{'Created' if created else 'Existing'} API token for {username}: {token.key}"
        )
