"""Dashboard with the map in Chromium on the demo (issue 12): first paint and the map drawn.

python bench/bench_dashboard_paint.py [--runs 10] [--port 8765]

Builds the demo as the run command does (SQLite, `load_demo`, `load_demo_hari_h`, DEBUG as in the
demo), serves it with `manage.py runserver --noreload`, logs in as the Kabag Ops through the login
form and opens the dashboard in Debian's Chromium at 1366 px, each run in a fresh browser context:
the first open with an empty browser cache, then a repeat open in the same context. Printed per
kind of open (median and worst over the runs):

- first contentful paint, from the browser's own paint timing;
- the map drawn: navigation start until every village with a location has its polygon on the map.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
from pathlib import Path

from common import OUT, ROOT, machine_note, row, runserver

CHROMIUM = os.environ.get("PILKADES_CHROMIUM", "/usr/bin/chromium")
KABAG_OPS = ("kabagops", "Demo-Kabagops-2019!")


def demo_environment(db_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{db_path}",
        "DJANGO_DEBUG": "1",
        "DJANGO_SETTINGS_MODULE": "pilkades.settings",
    }


def build_demo(env: dict[str, str]) -> None:
    python = str(ROOT / ".venv" / "bin" / "python")
    for command in (["migrate", "--noinput", "-v", "0"], ["load_demo"], ["load_demo_hari_h"]):
        subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True, capture_output=True)


def villages_with_location(env: dict[str, str]) -> int:
    """How many polygons or points the dashboard's map must draw (villages with a location)."""
    os.environ.update(env)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db.models import Q

    from operations.models import Operation, VillageStanding

    operation = Operation.objects.order_by("-pk").first()
    desa = "village_election__desa__"
    located = Q(**{f"{desa}latitude__isnull": False}) | ~Q(**{f"{desa}boundary_geojson": ""})
    return VillageStanding.objects.filter(located, operation=operation).count()


def open_dashboard(page, url: str, polygons: int) -> tuple[float, float]:
    page.goto(url, wait_until="commit")
    page.wait_for_function(
        "n => document.querySelectorAll('#map path.village-marker').length >= n", arg=polygons, timeout=30_000
    )
    map_drawn = page.evaluate("performance.now()")
    paint = page.evaluate(
        "(performance.getEntriesByName('first-contentful-paint')[0] || {startTime: NaN}).startTime"
    )
    return paint, map_drawn


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    OUT.mkdir(parents=True, exist_ok=True)
    db_path = OUT / "dashboard_paint.sqlite3"
    db_path.unlink(missing_ok=True)
    env = demo_environment(db_path)
    build_demo(env)
    polygons = villages_with_location(env)
    server = runserver(env, args.port)
    base = f"http://127.0.0.1:{args.port}"
    first, repeat = {"paint": [], "map": []}, {"paint": [], "map": []}
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
            for _ in range(args.runs):
                context = browser.new_context(viewport={"width": 1366, "height": 768}, base_url=base)
                page = context.new_page()
                page.goto("/accounts/login/")
                page.fill("#id_username", KABAG_OPS[0])
                page.fill("#id_password", KABAG_OPS[1])
                page.get_by_role("button", name="Masuk").click()
                page.wait_for_url(lambda url: "/accounts/login/" not in url)
                # The dashboard's own address (/dasbor/ redirects to the latest operation's).
                page.goto("/dasbor/")
                url = page.url
                # A fresh context for the first open: the login pages above warmed its cache.
                cold = browser.new_context(
                    viewport={"width": 1366, "height": 768}, storage_state=context.storage_state()
                )
                cold_page = cold.new_page()
                for figures, target in ((first, cold_page), (repeat, cold_page)):
                    paint, drawn = open_dashboard(target, url, polygons)
                    figures["paint"].append(paint)
                    figures["map"].append(drawn)
                cold.close()
                context.close()
            browser.close()
    finally:
        server.terminate()
        server.wait()
    print(f"dashboard of the demo at 1366 px, {polygons} villages on the map, {args.runs} runs")
    for label, figures in (("first open (empty cache)", first), ("repeat open", repeat)):
        paint = statistics.median(figures["paint"])
        row(f"{label}: first contentful paint (median)", paint, "ms", target=1500)
        row("  worst", max(figures["paint"]), "ms")
        row(f"{label}: map drawn (median)", statistics.median(figures["map"]), "ms")
        row("  worst", max(figures["map"]), "ms")
    machine_note()


if __name__ == "__main__":
    main()
