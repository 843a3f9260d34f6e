from django.core.management.base import BaseCommand

from webhooks.services import deliver_due_webhooks


class Command(BaseCommand):
    help = (
        "Kirim pengiriman webhook yang sudah jatuh tempo (outbox), seperti yang dilakukan job worker; "
        "untuk cron atau setelah gangguan."
    )

    def handle(self, *args, **options):
        counts = deliver_due_webhooks()
        self.stdout.write(
            f"{counts['delivered']} terkirim, {counts['retrying']} dicoba lagi nanti, "
            f"{counts['failed']} gagal"
        )
