"""Two app servers behind a round robin, sharing one PostgreSQL and one Redis, behave as one.

Two gunicorn instances (two workers each, deploy/gunicorn.conf.py) on different ports, started on
the test database (committed rows: a transactional test) and this worker's Redis database. Runs in
.ci/run's PostgreSQL pass, where REDIS_URL is set; skipped elsewhere.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from itertools import cycle
from pathlib import Path

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher

from operations.models import Officer, RiskLevel
from operations.roles import KABAG_OPS, PIMPINAN
from operations.services.tokens import person_token_create
from tests.factories import OfficerFactory, UnitFactory, UserFactory
from tests.operations.risk_setup import build_world

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "Sandi-Dua-Server-2019!"
ANON_LIMIT = 6
ROSTER = (
    b"NRP,Nama,Pangkat,Jabatan,Satuan\n"
    b"85010001,Ahmad,BRIPKA,Kanit,Polsek Carenang\n85010002,Budi,BRIPTU,Banit,Polsek Carenang\n"
)
# What the servers run with, for the job worker started beside them.
_server_environment: dict[str, str] = {}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _database_url() -> str:
    db = settings.DATABASES["default"]
    user = db.get("USER") or ""
    password = f":{db['PASSWORD']}" if db.get("PASSWORD") else ""
    host = db.get("HOST") or "127.0.0.1"
    port = db.get("PORT") or 5432
    return f"postgresql://{user}{password}@{host}:{port}/{db['NAME']}"


@pytest.fixture
def servers(tmp_path):
    """Two gunicorn instances; yields their base URLs."""
    # The same key on both, as the README says (sessions, CSRF, person tokens), and this process's,
    # so tokens made here hold there.
    key = settings.SECRET_KEY
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "DJANGO_SETTINGS_MODULE": "pilkades.settings",
        "DJANGO_DEBUG": "1",  # plain HTTP here: no secure-only cookies
        "DJANGO_SECRET_KEY": key,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": _database_url(),
        "REDIS_URL": settings.CACHES["default"]["LOCATION"],
        "DJANGO_API_THROTTLE_ANON": f"{ANON_LIMIT}/min",
        "DJANGO_API_THROTTLE_AUTH_TOKEN": "1000/min",
        "DJANGO_LOG_LEVEL": "WARNING",
        "PILKADES_WEB_WORKERS": "2",
        # Jobs queued by either server are left to the job worker (the `worker` fixture).
        "PILKADES_JOBS_RUN": "worker",
    }
    processes, urls, logs = [], [], []
    _server_environment.clear()
    _server_environment.update(env)
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    for number in range(2):
        port = _free_port()
        logs.append(tmp_path / f"gunicorn-{number}.log")
        with logs[-1].open("wb") as log:  # the child keeps its own descriptor
            processes.append(
                subprocess.Popen(
                    [gunicorn, "-c", "deploy/gunicorn.conf.py", "pilkades.wsgi"],
                    env={**env, "PILKADES_BIND": f"127.0.0.1:{port}"},
                    cwd=ROOT,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                )
            )
        urls.append(f"http://127.0.0.1:{port}")
    try:
        deadline = time.monotonic() + 120
        for url, process, log in zip(urls, processes, logs, strict=True):
            answer = None
            while True:
                try:
                    answer = requests.get(f"{url}/readyz", timeout=10).status_code
                    if answer == 200:
                        break
                except requests.RequestException as exc:
                    answer = repr(exc)  # still booting
                # Why, when it does not come up: its exit code, the last probe's answer, its log.
                said = f"{url}: exit code {process.poll()}, /readyz {answer}; log:\n{log.read_text()[-3000:]}"
                assert process.poll() is None, f"gunicorn ended — {said}"
                assert time.monotonic() < deadline, f"not ready within 120 s — {said}"
                time.sleep(0.3)
        yield urls
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


@pytest.fixture
def pimpinan(transactional_db):
    user = UserFactory(username="kapolres.dua", role=PIMPINAN, is_staff=False)
    # Hashed as the servers' own settings hash (the test settings' MD5 is unknown to them).
    user.password = PBKDF2PasswordHasher().encode(PASSWORD, "garam-uji-1234", iterations=1000)
    user.save()
    OfficerFactory(unit=UnitFactory(), user=user)
    return user


def test_the_throttle_limit_holds_across_both_servers(servers):
    codes = [
        requests.get(f"{url}/api/schema/", timeout=10).status_code
        for url, _ in zip(cycle(servers), range(10))
    ]
    assert codes == [200] * ANON_LIMIT + [429] * (10 - ANON_LIMIT)


def test_a_lockout_on_one_server_applies_on_the_other(servers, pimpinan):
    first, second = servers
    wrong = {"username": pimpinan.username, "password": "salah"}
    codes = [
        requests.post(f"{first}/api/v1/auth/token/", json=wrong, timeout=10).status_code for _ in range(5)
    ]
    assert codes[-1] == 429
    right = {"username": pimpinan.username, "password": PASSWORD}
    locked = requests.post(f"{second}/api/v1/auth/token/", json=right, timeout=10)
    assert locked.status_code == 429
    assert "token" not in locked.json()


def test_a_session_opened_on_one_server_works_on_the_other(servers, pimpinan):
    first, second = servers
    browser = requests.Session()
    browser.get(f"{first}/accounts/login/", timeout=10)
    response = browser.post(
        f"{first}/accounts/login/",
        data={
            "username": pimpinan.username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": f"{first}/accounts/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302
    assert requests.get(f"{second}/api/v1/", timeout=10).status_code in (401, 403)  # no session
    assert browser.get(f"{second}/api/v1/", timeout=10).status_code == 200  # the first's session
    # And logging out on the second ends the session on the first as well.
    browser.post(
        f"{second}/accounts/logout/",
        data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        headers={"Referer": f"{second}/"},
        timeout=10,
    )
    assert browser.get(f"{first}/api/v1/", timeout=10).status_code in (401, 403)


def test_a_ranking_change_through_one_server_is_seen_at_once_through_the_other(servers, make_user):
    first, second = servers
    world = build_world(make_user)
    headers = {"Authorization": f"Token {person_token_create(user=world.kabag).key}"}
    ranking = f"/api/v1/operations/{world.operation.pk}/ranking/"

    def top(url):
        response = requests.get(f"{url}{ranking}", headers=headers, timeout=20)
        assert response.status_code == 200, response.text[:300]
        return response.json()["results"][0]

    for url in servers:  # each server has served (and cached) the page once, twice
        top(url)
        top(url)
    target = world.own[1]
    changed = requests.post(
        f"{first}/api/v1/village-elections/{target.pk}/override/",
        json={"level": RiskLevel.SANGAT_RAWAN, "reason": "Bentrok antarpendukung"},
        headers=headers,
        timeout=20,
    )
    assert changed.status_code in (200, 201), changed.text[:300]
    seen = top(second)
    assert seen["village_election"] == target.pk
    assert seen["is_overridden"] is True


@pytest.fixture
def worker(servers):
    """The job worker of deploy/systemd/pilkades-worker.service, with the servers' environment."""
    process = subprocess.Popen(
        [sys.executable, "manage.py", "db_worker", "--queue-name=*", "--no-reload", "--interval", "0.2"],
        env=dict(_server_environment),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _admin_login(url: str, username: str) -> requests.Session:
    browser = requests.Session()
    browser.get(f"{url}/admin/login/", timeout=10)
    response = browser.post(
        f"{url}/admin/login/",
        data={
            "username": username,
            "password": PASSWORD,
            "csrfmiddlewaretoken": browser.cookies["csrftoken"],
        },
        headers={"Referer": f"{url}/admin/login/"},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 302, response.text[:300]
    return browser


def test_a_job_queued_through_one_server_is_run_by_the_worker_and_followed_on_the_other(
    servers, worker, make_user
):
    first, second = servers
    kabag = make_user(KABAG_OPS, username="kabagops.dua")
    kabag.password = PBKDF2PasswordHasher().encode(PASSWORD, "garam-uji-1234", iterations=1000)
    kabag.save()
    UnitFactory(name="Polsek Carenang", kind="polsek")
    browser = _admin_login(first, kabag.username)
    upload = f"{first}/admin/operations/officer/import/"
    browser.get(upload, timeout=10)
    response = browser.post(
        upload,
        data={"format": "0", "resource": "0", "csrfmiddlewaretoken": browser.cookies["csrftoken"]},
        files={"import_file": ("roster.csv", ROSTER, "text/csv")},
        headers={"Referer": upload},
        allow_redirects=False,
        timeout=20,
    )
    assert response.status_code == 302, response.text[:500]
    progress_path = response.headers["Location"]
    assert "/admin/jobs/job/" in progress_path
    status_url = f"{second}{progress_path.replace('/progress/', '/status/')}"
    deadline = time.monotonic() + 60
    while True:
        status = browser.get(status_url, timeout=10).json()  # the session holds on the other server
        if status["done"]:
            break
        assert time.monotonic() < deadline, status
        time.sleep(0.3)
    assert (status["state"], status["rows_read"], status["summary"]) == (
        "succeeded",
        2,
        "2 baru, 0 diperbarui, 0 tidak berubah",
    )
    assert Officer.objects.filter(nrp__in=["85010001", "85010002"]).count() == 2
    page = browser.get(f"{second}{progress_path}", timeout=10).text
    assert "2 baru" in page
