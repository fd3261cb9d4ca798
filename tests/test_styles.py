"""Where styles live (docs/architecture.md): a screen's or a widget's rules in its own
DEFAULT_CSS, about its own parts; app.tcss only what is app-wide."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import studyaws.tui

TUI = Path(studyaws.tui.__file__).parent


def selectors(css: str) -> list[str]:
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    return [s.strip() for s in re.findall(r"([^{}]+)\{", css)]


def default_css_by_class() -> list[tuple[str, str, str]]:
    """(file:class, its DEFAULT_CSS, the class's source) for every class under studyaws.tui."""
    found = []
    for path in sorted(TUI.rglob("*.py")):
        source = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(source)):
            if not isinstance(node, ast.ClassDef):
                continue
            for item in node.body:
                if (isinstance(item, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == "DEFAULT_CSS" for t in item.targets)
                        and isinstance(item.value, ast.Constant)):
                    found.append((f"{path.name}:{node.name}", item.value.value,
                                  ast.get_source_segment(source, node)))
    return found


def test_app_css_holds_no_rule_about_one_screens_parts():
    by_id = [s for s in selectors((TUI / "app.tcss").read_text(encoding="utf-8")) if "#" in s]
    assert by_id == [], "move these rules to the DEFAULT_CSS of the screen that owns the ids"


def test_every_id_a_default_css_styles_is_made_by_that_class():
    styled = default_css_by_class()
    assert len(styled) >= 10
    strays = [(where, ident) for where, css, source in styled
              for selector in selectors(css) for ident in re.findall(r"#([\w-]+)", selector)
              if f'id="{ident}"' not in source]
    assert strays == []
