"""`pacer token create|revoke|list`: personal API tokens from the command line."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from pacer.accounts.models import User
from pacer.api import tokens
from pacer.api.models import ApiToken
from pacer.okrs.errors import DomainError


class Command(BaseCommand):
    help = "Create, revoke or list personal API tokens."

    def add_arguments(self, parser: Any) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="create a token; prints it once, last line")
        create.add_argument("--user", required=True, metavar="EMAIL")
        create.add_argument("--scope", choices=ApiToken.Scope.values, default="read")
        create.add_argument("--expires", type=int, metavar="DAYS", help="default: never")
        create.add_argument("--name", default="", metavar="NAME")
        revoke = actions.add_parser("revoke", help="revoke the token with this prefix")
        revoke.add_argument("prefix", metavar="PREFIX")
        listing = actions.add_parser("list", help="a person's tokens (never the tokens)")
        listing.add_argument("--user", required=True, metavar="EMAIL")

    def handle(self, *args: Any, **options: Any) -> None:
        getattr(self, f"handle_{options['action']}")(options)

    def handle_create(self, options: dict[str, Any]) -> None:
        try:
            token, plain = tokens.token_create(
                user=person(options["user"]),
                name=options["name"],
                scope=options["scope"],
                expires_in_days=options["expires"],
            )
        except DomainError as error:
            raise CommandError(str(error)) from error
        expiry = f"expires {token.expires_at:%Y-%m-%d}" if token.expires_at else "never expires"
        self.stdout.write(
            f"Token {token.prefix}… ({token.scope}, {expiry}) for {token.user.email}. "
            "It is shown only now; keep it secret:"
        )
        self.stdout.write(plain)

    def handle_revoke(self, options: dict[str, Any]) -> None:
        found = list(ApiToken.objects.filter(prefix=options["prefix"])[:2])
        if len(found) != 1:
            raise CommandError(f"PREFIX: {len(found) or 'no'} tokens start with that prefix")
        tokens.token_revoke(token=found[0])
        self.stdout.write(f"Revoked {found[0].prefix}… of {found[0].user.email}.")

    def handle_list(self, options: dict[str, Any]) -> None:
        for token in tokens.tokens_of(person(options["user"])):
            state = "revoked" if token.revoked_at else "active"
            expires = f"{token.expires_at:%Y-%m-%d}" if token.expires_at else "never"
            used = f"{token.last_used_at:%Y-%m-%d %H:%M}" if token.last_used_at else "never"
            self.stdout.write(
                f"{token.prefix}  {token.scope:5}  {state:7}  expires {expires}  "
                f"last used {used}  {token.name}"
            )


def person(email: str) -> User:
    found = User.objects.filter(email=email.lower()).first()
    if found is None:
        raise CommandError(f"--user: no person with email {email!r}")
    return found
