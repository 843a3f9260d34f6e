from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.translation import gettext as _

from operations.demo import demo_load
from operations.demo_reports import demo_load_reports


class Command(BaseCommand):
    help = (
        "Load (or refresh) the Polres Serang 2019 demo: kecamatan, desa, units, personnel, the "
        "Pilkades and its candidates, the operation with its BKO, and one login per role. "
        "Safe to run again: nothing is duplicated and the demo passwords are re-set."
    )

    def handle(self, *args, **options) -> None:
        # One transaction for every step, so a failure leaves no half-loaded demo. Steps that
        # build on the master data (such as the verified risk reports) follow demo_load().
        with transaction.atomic():
            logins = demo_load()
            demo_load_reports()
        self.stdout.write(self.style.SUCCESS(_("Data demo Polres Serang 2019 dimuat.")))
        headers = (_("login"), _("kata sandi"), _("peran"))
        rows = [(login.username, login.password, login.role or "superuser") for login in logins]
        widths = [max(len(row[column]) for row in [headers, *rows]) for column in range(2)]
        for username, password, role in [headers, *rows]:
            self.stdout.write(f"{username.ljust(widths[0])}  {password.ljust(widths[1])}  {role}")
