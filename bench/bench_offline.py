"""Field app offline figures (issue 15), measured in Debian's Chromium at 360 px against runserver.

    .venv/bin/python bench/bench_offline.py [--items 50] [--photos 10] [--runs 7]

Prints:
- the field pages' JavaScript, each file gzip-compressed (level 9) and in total (target ≤ 100 KB);
- the field shell opened offline from the service worker's cache with 4× CPU throttling (CDP
  Emulation.setCPUThrottlingRate), median and worst of --runs opens: the wall time of page.goto to
  DOMContentLoaded and the page's own navigation timing (target ≤ 1 s);
- the drain: --items incidents queued offline through the real form (--photos of them with a
  2400×1800 photo the phone makes small), then the connection back: the time until every one is
  "terkirim", and the rows stored (target ≤ 15 s for 50 with 10 photos, each stored once).

A SQLite database of its own (bench/out/offline.sqlite3) with the Serang demo and its election day;
the server is `manage.py runserver` on loopback (threaded, DEBUG for plain-http cookies). The machine
is shared: the load average is printed beside the figures.
"""

from __future__ import annotations

import argparse
import gzip
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import OUT, database_url, machine_note, runserver, setup_django

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # Playwright's loop beside the ORM
CHROMIUM = os.environ.get("PILKADES_CHROMIUM", "/usr/bin/chromium")
FIELD_PAGES = ("/hari-h/", "/hari-h/kejadian/baru/", "/hari-h/antrian/", "/laporan/baru/")
LOGIN = ("polsek.carenang", "Demo-Carenang-2019!")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url("sqlite", "offline"),
        "DJANGO_SETTINGS_MODULE": "pilkades.settings_test",
        "DJANGO_DEBUG": "1",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "REDIS_URL": "",
    }
    return runserver(env, port)


def photo(path: Path) -> Path:
    from PIL import Image

    size = (2400, 1800)
    image = Image.linear_gradient("L").resize(size).convert("RGB")
    texture = Image.effect_noise(size, 40).convert("RGB")
    Image.blend(image, texture, 0.3).save(path, "JPEG", quality=92)
    return path


def javascript_sizes(page, base: str) -> dict[str, tuple[int, int]]:
    """Every script the field pages load: (bytes, gzip level 9 bytes)."""
    sources: set[str] = set()
    for path in FIELD_PAGES:
        page.goto(path)
        sources.update(page.evaluate("() => [...document.scripts].filter((s) => s.src).map((s) => s.src)"))
    sizes = {}
    for src in sorted(sources):
        body = urllib.request.urlopen(src).read()
        sizes[src.removeprefix(base)] = (len(body), len(gzip.compress(body, compresslevel=9)))
    return sizes


def open_offline(page, runs: int, throttle: float) -> list[tuple[float, float]]:
    """(wall s to DOMContentLoaded, navigation timing's domContentLoadedEventEnd s) per offline open."""
    page.context.set_offline(True)
    no_signal = "() => fetch('/accounts/login/', {cache: 'no-store'}).then(() => 'online', () => 'offline')"
    assert page.evaluate(no_signal) == "offline"
    cdp = page.context.new_cdp_session(page)
    if throttle != 1:
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": throttle})
    times = []
    for _ in range(runs):
        page.goto("/hari-h/kejadian/baru/", wait_until="domcontentloaded")  # away, then the post page
        started = time.perf_counter()
        page.goto("/hari-h/", wait_until="domcontentloaded")
        wall = time.perf_counter() - started
        nav = page.evaluate("() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
        page.locator("#queue-status").wait_for(state="attached")
        times.append((wall, nav / 1000))
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": 1})
    return times


def queue_incidents(page, items: int, photos: int, picture: Path) -> None:
    page.goto("/hari-h/kejadian/baru/", wait_until="domcontentloaded")
    for n in range(items):
        page.select_option("#id_operation", index=1)
        page.select_option("#id_village_election", index=1)
        page.select_option("#id_category", "keributan")
        page.select_option("#id_severity", "2")
        page.fill("#id_description", f"Kejadian uji {n + 1}")
        if n % (items // photos if photos else items + 1) == 0 and photos:
            page.set_input_files("#id_photos", str(picture))
        page.get_by_role("button", name="Kirim ke Posko").click()
        page.locator("#queue-status").filter(has_text=f"{n + 1} menunggu dikirim").wait_for()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--items", type=int, default=50)
    parser.add_argument("--photos", type=int, default=10)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--reuse", action="store_true", help="keep the database of the last run")
    parser.add_argument("--throttle", type=float, default=4)
    args = parser.parse_args()

    print("building the demo database …", flush=True)
    setup_django("sqlite", fresh=not args.reuse, name="offline")
    from django.core.management import call_command

    if not args.reuse:
        call_command("load_demo", stdout=io.StringIO())
        call_command("load_demo_hari_h", stdout=io.StringIO())
    from election_day.models import Incident, IncidentPhoto

    before = (Incident.objects.count(), IncidentPhoto.objects.count())
    from playwright.sync_api import sync_playwright

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    server = start_server(port)
    try:
        with sync_playwright() as playwright, tempfile.TemporaryDirectory() as tmp:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            context = browser.new_context(
                viewport={"width": 360, "height": 740}, base_url=base, locale="id-ID"
            )
            context.set_default_timeout(30_000)
            page = context.new_page()
            page.goto("/accounts/login/")
            page.fill("#id_username", LOGIN[0])
            page.fill("#id_password", LOGIN[1])
            page.get_by_role("button", name="Masuk").click()
            page.wait_for_url(lambda url: "/accounts/login/" not in url)
            page.goto("/hari-h/")
            page.wait_for_function("() => navigator.serviceWorker.controller !== null")

            sizes = javascript_sizes(page, base)
            page.goto("/hari-h/")  # the copy refreshed last, as after a visit with signal
            print("\nField pages' JavaScript (gzip level 9):")
            for name, (raw, packed) in sizes.items():
                print(f"   {name:<32} {raw / 1024:6.1f} KB raw  {packed / 1024:5.1f} KB gzip")
            total = sum(p for _, p in sizes.values())
            print(f"   total {total / 1024:.1f} KB gzip (target ≤ 100 KB)")
            machine_note()

            opens = open_offline(page, args.runs, args.throttle)
            walls, navs = [w for w, _ in opens], [n for _, n in opens]
            print(f"\nField shell opened offline, 360 px, 4× CPU throttling, {args.runs} opens:")
            for label, values in (
                ("page.goto to DOMContentLoaded", walls),
                ("navigation timing DCL end", navs),
            ):
                median, worst = statistics.median(values), max(values)
                print(f"   {label:<30} median {median:.3f} s, worst {worst:.3f} s")
            print("   target ≤ 1 s")
            machine_note()

            picture = photo(Path(tmp) / "tkp.jpg")
            started = time.perf_counter()
            queue_incidents(page, args.items, args.photos, picture)
            queued_s = time.perf_counter() - started
            page.goto("/hari-h/antrian/", wait_until="domcontentloaded")
            page.context.set_offline(False)
            started = time.perf_counter()
            page.evaluate("window.dispatchEvent(new Event('online'))")
            page.locator("#queue-list li[data-state=terkirim]").nth(args.items - 1).wait_for(timeout=120_000)
            drained = time.perf_counter() - started
            refused = page.locator("#queue-list li[data-state=ditolak]").count()
            stored = (Incident.objects.count() - before[0], IncidentPhoto.objects.count() - before[1])
            print(f"\nQueue drain on loopback: {args.items} incidents ({args.photos} with a photo)")
            print(f"   queued offline through the form in {queued_s:.1f} s")
            print(f"   all sent in {drained:.2f} s (target ≤ 15 s); refused {refused}")
            print(f"   stored {stored[0]} incidents, {stored[1]} photos")
            machine_note()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"\n(database: {OUT / 'offline.sqlite3'})")


if __name__ == "__main__":
    main()
