from django.core.management.base import BaseCommand, CommandError

from entezam.accounts.models import User
from entezam.accounts.services import api_token_issue


class Command(BaseCommand):
    help = "Issue (or replace) the API token of a machine client's user and print it."

    def add_arguments(self, parser):
        parser.add_argument("operation", choices=["issue"])
        parser.add_argument("username")

    def handle(self, *args, operation, username, **options):
        user = User.objects.filter(username=username, is_active=True).first()
        if user is None:
            raise CommandError(f"no active user {username!r}")
        if not user.role_assignments_cached():
            raise CommandError(f"{username!r} holds no role: the token would see nothing")
        token = api_token_issue(actor=None, user=user)
        self.stdout.write(token.key)
