from django_tasks import task


@task()
def deliver_webhooks_task() -> dict:
    """The job worker's drain of the webhook outbox (queued after each change that emits events)."""
    from webhooks.services import deliver_due_webhooks

    return deliver_due_webhooks()
