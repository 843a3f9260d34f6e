"""API tokens of persons: what a person gets for his username and password at /api/v1/auth/token/.

Unlike a service account's token (DRF's ``Token``, one per account, revoked by Kabag Ops), a person
token expires, dies when the password changes (it carries the account's session hash, as a session
does), and is one of several: one per phone or script, each revoked on its own. Only a digest of
the key is stored, so a copy of the database opens nothing.
"""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Person keys start with this, so authentication (and a person reading a log) tells them from
# service keys, which are 40 hexadecimal digits.
PERSON_KEY_PREFIX = "pt_"
SHOWN_KEY_LENGTH = len(PERSON_KEY_PREFIX) + 8


def person_key_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def is_service_account(user: AbstractBaseUser) -> bool:
    """A tool's account: no password to log in with, no staff access; its token is all it has."""
    return not user.has_usable_password() and not user.is_staff and not user.is_superuser


class PersonTokenQuerySet(models.QuerySet):
    def live(self) -> PersonTokenQuerySet:
        return self.filter(expires__gt=timezone.now())

    def expired(self) -> PersonTokenQuerySet:
        return self.filter(expires__lte=timezone.now())


class PersonToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="person_tokens",
        verbose_name=_("pemilik"),
    )
    digest = models.CharField(_("sidik kunci"), max_length=64, unique=True, editable=False)
    shown_key = models.CharField(_("awal kunci"), max_length=SHOWN_KEY_LENGTH, editable=False)
    # The owner's session hash when the token was issued: it changes with the password.
    auth_hash = models.CharField(max_length=128, editable=False)
    created = models.DateTimeField(_("dibuat"), default=timezone.now, editable=False)
    expires = models.DateTimeField(_("berlaku sampai"), editable=False)

    objects = PersonTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("token API orang")
        verbose_name_plural = _("token API orang")
        ordering = ["user__username", "-created"]
        indexes = [models.Index(fields=["user", "expires"], name="persontoken_user_expires")]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires__gt=F("created")), name="persontoken_expires_after_created"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.shown_key}…"

    @classmethod
    def new_key(cls) -> str:
        return PERSON_KEY_PREFIX + secrets.token_urlsafe(32)

    @property
    def is_live(self) -> bool:
        return self.expires > timezone.now()
