"""Add the demo's election day (check-ins, progress, incidents) after ``manage.py load_demo``."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from election_day.demo import demo_load_hari_h


class Command(BaseCommand):
    help = (
        "Load the Hari-H of the Serang demo (20 Oktober 2019) on top of load_demo: the voting "
        "stage's window and postings, Polsek Carenang check-ins, village progress and two "
        "incidents, all through the Hari-H services. Safe to run again: nothing is duplicated."
    )

    def handle(self, *args, **options) -> None:
        for line in demo_load_hari_h():
            self.stdout.write(line)
        self.stdout.write(self.style.SUCCESS(_("Hari-H demo dimuat.")))
