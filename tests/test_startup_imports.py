"""Start-up stays light: heavy optional modules are imported where they are used, never on
the way to the first screen (see bench/RESULTS.md for what each one costs)."""

from __future__ import annotations

import json
import subprocess
import sys

from studyaws.core.formats import FORMATS

# The question-bank readers (the package itself is a light table of their names).
READERS = ("studyaws.core.formats.common",
           *(f"studyaws.core.formats.{f.module}" for f in FORMATS.values() if f.module))
# Modules no command needs before it runs: the UI toolkit, the optimizer, exporters, other
# formats, Markdown rendering.
HEAVY = ("textual", "fsrs_rs_python", "genanki", "textual_image", "PIL", *READERS,
         "textual_serve", "aiohttp", "jinja2",
         "studyaws.services.exchange",
         "rich.markdown")
# Modules the review screen does not need before its first card is painted.
NOT_FOR_REVIEW = ("fsrs_rs_python", "genanki", "textual_image", "PIL", *READERS,
                  "textual_serve", "aiohttp",
                  "studyaws.services.exchange")


def loaded_after(code: str) -> set[str]:
    """The modules in sys.modules after running `code` in a fresh interpreter."""
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    return set(json.loads(done.stdout.strip().splitlines()[-1]))


def offenders(modules: set[str], banned: tuple[str, ...]) -> list[str]:
    return sorted(m for m in modules if any(m == b or m.startswith(b + ".") for b in banned))


def test_importing_the_command_loads_nothing_heavy():
    assert offenders(loaded_after("import studyaws.cli.main"), HEAVY) == []


def test_help_does_not_import_the_ui():
    code = ("import contextlib, io\nfrom studyaws.cli.main import main\n"
            "with contextlib.redirect_stdout(io.StringIO()), contextlib.suppress(SystemExit):\n"
            "    main(['--help'])")
    assert offenders(loaded_after(code), HEAVY) == []


def test_the_review_screen_loads_no_optional_module():
    code = ("import studyaws.cli.main, studyaws.services.collection, studyaws.tui.app\n"
            "import studyaws.tui.screens.home, studyaws.tui.screens.review")
    assert offenders(loaded_after(code), NOT_FOR_REVIEW) == []
