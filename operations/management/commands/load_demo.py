from django.core.management.base import BaseCommand
from django.db import transaction

from operations.demo import demo_load
from operations.demo_reports import demo_load_reports


class Command(BaseCommand):
    help = (
        "Load (or refresh) the Polres Serang 2019 demo: kecamatan, desa, units, personnel, the "
        "Pilkades and its candidates, the operation with its BKO, and one login per role. "
        "Safe to run again: nothing is duplicated and the demo passwords are re-set."
    )

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            logins = demo_load()
            demo_load_reports()
            # Later demo steps that build on the master data (e.g. verified risk reports) go here,
            # inside the same transaction so a failure leaves no half-loaded demo.
        self.stdout.write(self.style.SUCCESS("Data demo Polres Serang 2019 dimuat."))
        width = max(len(login.username) for login in logins)
        self.stdout.write(f"{'login'.ljust(width)}  {'kata sandi'.ljust(22)}  peran")
        for login in logins:
            role = login.role or "superuser"
            self.stdout.write(f"{login.username.ljust(width)}  {login.password.ljust(22)}  {role}")
