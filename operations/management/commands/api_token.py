from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from operations.roles import PIMPINAN
from operations.services.tokens import SERVICE_ROLES, token_create, token_revoke, tokens_list


class Command(BaseCommand):
    help = (
        "API tokens: create prints the token of a new or existing service account (a tool that "
        "calls the API), revoke deletes an account's tokens (service or person), list shows the "
        "tokens in force: account, kind, role, shortened key, created, expires."
    )

    def add_arguments(self, parser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        create = actions.add_parser("create", help="Create or reuse the account and print its token.")
        create.add_argument("username")
        create.add_argument(
            "--role",
            default=PIMPINAN,
            help=f"One of: {', '.join(SERVICE_ROLES)} (default {PIMPINAN}, read only).",
        )
        revoke = actions.add_parser("revoke", help="Delete the account's tokens, service or person.")
        revoke.add_argument("username")
        actions.add_parser("list", help="Tokens in force, service and person.")

    def handle(self, *args, action: str, **options) -> None:
        try:
            if action == "create":
                token = token_create(username=options["username"], role=options["role"])
                self.stdout.write(token.key)
            elif action == "revoke":
                token_revoke(username=options["username"])
                self.stdout.write(self.style.SUCCESS(_("Token %(username)s dicabut.") % options))
            else:
                for token in tokens_list():
                    expires = _when(token.expires) if token.expires else "-"
                    self.stdout.write(
                        "\t".join(
                            [token.username, token.kind, token.role, token.key, _when(token.created), expires]
                        )
                    )
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M")
