"""The README's restore drill compares row counts printed by manage.py: nothing else may be printed."""

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()


def _drill_shell_commands() -> list[str]:
    return [line for line in README.splitlines() if "manage.py shell" in line and "$COUNTS" in line]


def test_the_drill_runs_the_shell_without_its_import_banner():
    commands = _drill_shell_commands()
    assert len(commands) == 2  # the live database and the restored one
    assert all("--no-imports" in command for command in commands), commands


def test_the_shell_prints_only_what_the_snippet_prints():
    """Django 5.2's shell lists its automatic imports on stdout ("12 objects could not be …")."""
    (flags,) = {
        re.search(r"manage\.py shell (.*?)-c", command).group(1) for command in _drill_shell_commands()
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "shell", *flags.split(), "-c", "print('Desa 15')"],
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "1"},
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "Desa 15\n"
