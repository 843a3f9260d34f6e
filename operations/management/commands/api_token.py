from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from operations.roles import PIMPINAN
from operations.services.tokens import SERVICE_ROLES, token_create, token_revoke, tokens_list


class Command(BaseCommand):
    help = (
        "API tokens for service accounts (tools that call the API): create prints the token of a "
        "new or existing service account, revoke deletes it, list shows who holds one."
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
        revoke = actions.add_parser("revoke", help="Delete the account's token.")
        revoke.add_argument("username")
        actions.add_parser("list", help="Service accounts holding a token.")

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
                    self.stdout.write(f"{token.username}\t{token.role}\t{token.key}")
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
