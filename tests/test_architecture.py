"""The import contracts of pyproject.toml ([tool.importlinter]) hold: the SLA engine imports
no Django, the ticket domain no web app, and the desk and the portal not each other."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_it_keeps_the_import_contracts() -> None:
    lint_imports = Path(sys.executable).with_name("lint-imports")
    assert lint_imports.exists(), f"{lint_imports} is missing: pip install -e '.[dev]'"
    result = subprocess.run(  # noqa: S603 -- our own venv's script, no shell
        [str(lint_imports), "--no-cache"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
