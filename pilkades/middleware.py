"""Project middleware: the API's missing-slash answer."""

from django.middleware.common import CommonMiddleware as DjangoCommonMiddleware
from django.utils.http import escape_leading_slashes
from django.utils.translation import gettext as _

from pilkades.api_errors import api_error, is_api_request


class CommonMiddleware(DjangoCommonMiddleware):
    """Django's, except that an API path missing its trailing slash is answered 308, in JSON.

    Django's 301 makes clients repeat a POST as a GET without its body (and in DEBUG it raises);
    a 308 makes them repeat the same method with the same body, and the JSON body names the right
    address for those that do not follow redirects.
    """

    def process_response(self, request, response):
        if (
            response.status_code == 404
            and is_api_request(request)
            and self.should_redirect_with_slash(request)
        ):
            location = escape_leading_slashes(request.get_full_path(force_append_slash=True))
            redirect = api_error(
                308,
                _("Alamat API selalu diakhiri garis miring: gunakan %(url)s") % {"url": location},
            )
            redirect["Location"] = location
            return redirect
        return super().process_response(request, response)
