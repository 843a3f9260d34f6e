"""The API's two documentation readers render in a real browser, under the app's own CSP, offline."""

from dataclasses import dataclass, field
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from operations.roles import POLSEK
from tests.conftest import TEST_PASSWORD
from tests.e2e.conftest import login

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

OPERATION_PATH = "/api/v1/risk-reports/"
# Redoc's sidebar shows a "by Redocly" logo from this address, hard-coded in its bundle with no option
# to turn it off; the CSP refuses it, so the browser never sends the request, and Redoc hides it.
REDOC_ATTRIBUTION_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"


def _host(url: str) -> str:
    """The host a request went to; a blob: URL's is the page's own (it never leaves the browser)."""
    return urlsplit(url.removeprefix("blob:")).netloc


@dataclass
class Traffic:
    sent: list[str] = field(default_factory=list)  # requests that reached a server (got an answer)
    refused: list[str] = field(default_factory=list)  # requests the browser's CSP stopped

    def watch(self, page) -> None:
        page.on("response", lambda response: self.sent.append(response.url))
        page.on(
            "requestfailed",
            lambda request: (
                self.refused.append(request.url)
                if "csp" in (request.failure or "").lower()
                else self.sent.append(request.url)
            ),
        )


@pytest.mark.parametrize(
    ("path", "operation"),
    [
        # Swagger UI: each operation's block carries its path.
        ("/api/docs/", f".opblock-summary-path[data-path='{OPERATION_PATH}']"),
        # Redoc: the operation's address, shown in its endpoint box.
        ("/api/redoc/", f"text={OPERATION_PATH}"),
    ],
)
def test_api_docs_render_their_operations_without_leaving_the_origin(
    open_page, live_server, make_user, path, operation
):
    user = make_user(POLSEK)
    page, console = open_page()
    login(page, user.username, TEST_PASSWORD)
    traffic = Traffic()
    traffic.watch(page)
    response = page.goto(path)
    assert response.status == 200
    expect(page.locator(operation).first).to_be_visible(timeout=30_000)
    page.wait_for_load_state("networkidle")

    own = urlsplit(live_server.url).netloc
    assert [url for url in traffic.sent if _host(url) != own] == []
    assert set(traffic.refused) <= {REDOC_ATTRIBUTION_LOGO}
    # Nothing else refused either: no script, style or font the CSP would block ("Refused to ...").
    assert [e for e in console.take() if REDOC_ATTRIBUTION_LOGO not in e] == []
