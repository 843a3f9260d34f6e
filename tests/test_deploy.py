"""The files in deploy/ agree with the app: what nginx sends is what the settings trust."""

import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[1]
NGINX = (ROOT / "deploy/nginx/pilkades.conf").read_text()
GUNICORN = ROOT / "deploy/gunicorn.conf.py"


def _gunicorn_settings() -> dict:
    values: dict = {}
    exec(compile(GUNICORN.read_text(), str(GUNICORN), "exec"), values)
    return values


def test_gunicorn_accepts_its_config():
    gunicorn = Path(sys.executable).with_name("gunicorn")
    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", str(GUNICORN), "pilkades.wsgi"],
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


# Election day's peak (bench_election_day_load.py's target) shared by the default two workers.
PEAK_REQUESTS_PER_WORKER_S = 400 / 2


def test_a_worker_is_not_recycled_every_few_seconds_at_election_day_peak():
    # A boot costs a worker ~1.4 s of CPU (imports, first queries) while it serves nothing: at
    # 2,000 requests a worker was recycled every 10 s at the peak.
    settings = _gunicorn_settings()
    assert settings["max_requests"] / PEAK_REQUESTS_PER_WORKER_S >= 5 * 60
    assert 0 < settings["max_requests_jitter"] < settings["max_requests"]


class _Worker:
    def __init__(self):
        self.alive = True
        self.pid = 4242
        self.logged = []
        self.log = self

    def info(self, message, *args):
        self.logged.append(message % args)


def test_a_worker_holding_more_memory_than_its_limit_is_recycled_after_its_request(monkeypatch):
    monkeypatch.setenv("PILKADES_WEB_MAX_MEMORY_MB", "1")  # any running Python holds more
    worker = _Worker()
    _gunicorn_settings()["post_request"](worker, None, {}, None)
    assert worker.alive is False
    assert "limit 1 MB" in worker.logged[0]

    monkeypatch.setenv("PILKADES_WEB_MAX_MEMORY_MB", "1000000")
    worker = _Worker()
    _gunicorn_settings()["post_request"](worker, None, {}, None)
    assert worker.alive is True and worker.logged == []


def test_nginx_sends_the_headers_the_settings_rely_on():
    assert "proxy_set_header Host $host;" in NGINX  # ALLOWED_HOSTS, CSRF
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in NGINX  # SECURE_PROXY_SSL_HEADER
    # Appended, so the last entry is the peer nginx saw (PILKADES_TRUSTED_PROXIES=1).
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in NGINX
    assert "proxy_set_header X-Request-ID $request_id;" in NGINX


def test_nginx_waits_longer_than_gunicorn_and_takes_the_largest_upload():
    read_timeout = int(re.search(r"proxy_read_timeout (\d+)s;", NGINX).group(1))
    assert read_timeout > _gunicorn_settings()["timeout"]
    body = int(re.search(r"client_max_body_size (\d+)m;", NGINX).group(1)) * 1024 * 1024
    assert body > settings.INCIDENT_PHOTO_MAX_BYTES
    assert body > settings.PILKADES_ADMIN_IMPORT_MAX_BYTES


def test_nginx_never_serves_uploaded_evidence_from_disk():
    media = re.search(r"location /media/ \{(.*?)\}", NGINX, re.S).group(1)
    assert "return 404;" in media
    assert "alias" not in media and "root" not in media


def test_backup_script_writes_encrypted_files_and_removes_old_ones(tmp_path):
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    # Stand-ins that show what passed through them: pg_dump's output, age's recipient and input.
    (bin_dir / "pg_dump").write_text('#!/bin/sh\nfor a; do last=$a; done\necho "dump of $last"\n')
    (bin_dir / "age").write_text('#!/bin/sh\necho "encrypted for $2:"; cat\n')
    for tool in bin_dir.iterdir():
        tool.chmod(0o755)
    media, backups = tmp_path / "media", tmp_path / "backups"
    media.mkdir()
    (media / "foto.jpg").write_bytes(b"jpeg")
    backups.mkdir()
    old = backups / "pilkades-2019-01-01.dump.age"
    old.write_text("old")
    subprocess.run(["touch", "-d", "30 days ago", str(old)], check=True)
    kept = backups / "pilkades-yesterday.dump.age"
    kept.write_text("recent")

    result = subprocess.run(
        ["bash", str(ROOT / "deploy/backup.sh")],
        env={
            "PATH": f"{bin_dir}:/usr/bin:/bin",
            "DATABASE_URL": "postgresql://db/pilkades",
            "PILKADES_BACKUP_RECIPIENT": "age1kuncipublik",
            "PILKADES_BACKUP_DIR": str(backups),
            "DJANGO_MEDIA_ROOT": str(media),
        },
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    names = sorted(path.name for path in backups.iterdir())
    dumps = [name for name in names if name.endswith(".dump.age") and name != kept.name]
    assert len(dumps) == 1
    assert (
        backups / dumps[0]
    ).read_text() == "encrypted for age1kuncipublik:\ndump of postgresql://db/pilkades\n"
    assert any(name.startswith("pilkades-media-") and name.endswith(".tar.gz.age") for name in names)
    assert not old.exists()  # past PILKADES_BACKUP_KEEP_DAYS (14)
    assert kept.exists()
    assert not [name for name in names if name.startswith(".")]  # no partial file left


def test_backup_script_refuses_to_run_without_a_recipient(tmp_path):
    result = subprocess.run(
        ["bash", str(ROOT / "deploy/backup.sh")],
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": "postgresql://db/pilkades"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode != 0
    assert "PILKADES_BACKUP_RECIPIENT" in result.stderr


def test_the_worker_unit_runs_the_database_queue_with_the_web_servers_settings():
    worker = (ROOT / "deploy/systemd/pilkades-worker.service").read_text()
    web = (ROOT / "deploy/systemd/pilkades-web.service").read_text()
    environment = re.search(r"^EnvironmentFile=(.+)$", web, re.M).group(1)
    assert f"EnvironmentFile={environment}" in worker
    command = re.search(r"^ExecStart=(.+)$", worker, re.M).group(1)
    assert "manage.py db_worker" in command and "--no-reload" in command and "--queue-name=*" in command


def test_the_readme_env_file_leaves_jobs_to_the_worker():
    readme = (ROOT / "README.md").read_text()
    env_block = readme.split("cat >> /etc/pilkades/env <<'ENV'", 1)[1].split("ENV\n", 1)[0]
    assert "PILKADES_JOBS_RUN=worker" in env_block
    assert "cp deploy/systemd/pilkades-worker.service" in readme
