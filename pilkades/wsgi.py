"""
WSGI config for pilkades project.

It exposes the WSGI callable as a module-level variable named ``application``.

For more information on this file, see
https://docs.djangoproject.com/en/5.2/howto/deployment/wsgi/
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pilkades.settings")

application = get_wsgi_application()

from pilkades.startup import announce  # noqa: E402  (needs the settings loaded above)

announce()
