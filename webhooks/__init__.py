"""Webhooks: events pushed to the endpoints the Kabag Ops registers, through an outbox.

A service that changes something calls ``event_emit`` inside its own transaction: the event and one
delivery row per subscribed endpoint are written with the change, so a rolled-back change sends
nothing and a committed one is never lost. After the commit a job (django-tasks, the job worker of
the jobs app) drains the due deliveries: each POST is signed with HMAC-SHA256 over the timestamp
and the body (webhooks.signing), a failure is retried with exponential backoff for 24 hours, and
every delivery keeps its status, attempts and last error. ``manage.py deliver_webhooks`` drains
them too (a cron, or after an outage). The app depends on nothing of the desk: the desk's services
call it.
"""
