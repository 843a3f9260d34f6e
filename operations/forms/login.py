"""Login forms with their own wrong-password message.

Django's message puts the username field's label into a sentence that, in the Indonesian
catalogue, already names it ("Masukkan nama pengguna nama pengguna dan sandi yang benar"); these
say it once, in both languages.
"""

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _("Nama pengguna atau sandi salah. Huruf besar dan kecil dibedakan."),
    }


class AdminLoginForm(AdminAuthenticationForm):
    # The admin also answers this for a right password of an account without staff access.
    error_messages = {
        **AdminAuthenticationForm.error_messages,
        "invalid_login": _(
            "Nama pengguna atau sandi salah, atau akun ini bukan akun staf. Huruf besar dan kecil dibedakan."
        ),
    }
