"""Background jobs: long imports (and, later, exports and webhook delivery) run outside the request.

The queue is django-tasks (the backport of Django 6.0's ``django.tasks``) with django-tasks-db's
DatabaseBackend: the queue is a table in the app's own database, so a job is queued in the same
transaction as the rows that ask for it and needs no server beyond PostgreSQL (SQLite in the demo).

Two entry points, both in ``jobs.services``:
- ``enqueue(task, *args, **kwargs)`` for any ``@task`` function (``from django_tasks import task``):
  arguments must be JSON; the task runs once the caller's transaction commits.
- ``job_start(kind=..., runner=..., ...)`` for work a user watches: a ``Job`` row with its progress
  (rows read, errors so far), its error report and its result, shown by the progress page.
"""
