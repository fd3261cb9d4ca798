"""Markdown question banks, task-list style.

```markdown
### Which two services store objects? (Choose two.)

- [x] Amazon S3
- [ ] Amazon EC2
- [x] Amazon S3 Glacier

**[⬆ Back to top](#table-of-contents)**
```

A heading holds the question (text under it before the options joins the stem), the task
list holds the options, `[x]` marks the correct ones. Text after the options is the
explanation. Headings without options are topics. A table of contents and "back to top"
links are navigation and are dropped; a picture stays a reference the import copies.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from studyaws.core.formats.common import (
    FormatResult,
    Skipped,
    choice_item,
    choice_problem,
    finish,
    markdown_images,
    strip_numbering,
    tidy,
)
from studyaws.core.text import clean

_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE = re.compile(r"^\s{0,3}(`{3,}|~{3,})")
_TASK = re.compile(r"^(\s{0,3})[-*+]\s+\[( |x|X)\]\s?(.*)$")
_LINK_ITEM = re.compile(r"^\s*(?:[-*+]|\d+[.)])\s+\[[^\]]*\]\(#[^)]*\)\s*$")
_ANCHOR_ONLY = re.compile(r"^\s*(?:\*\*|__)?\s*\[[^\]]*\]\(#[^)]*\)\s*(?:\*\*|__)?\s*$")
_BACK_TO_TOP = re.compile(r"back\s+to\s+(?:the\s+)?top", re.IGNORECASE)
_RULE = re.compile(r"^\s{0,3}([-*_])(\s*\1){2,}\s*$")
_TOC_TITLES = {"table of contents", "contents", "toc", "index", "questions"}
_DETAILS_TAG = re.compile(r"</?details[^>]*>|<summary[^>]*>.*?</summary>", re.IGNORECASE)


@dataclass
class _Section:
    line: int  # 1-based line of the heading (0 for the text before the first heading)
    level: int
    title: str
    body: list[tuple[int, str]] = field(default_factory=list)


def looks_like(text: str) -> bool:
    """A bank rather than a studyaws deck: questions under headings with task lists, and
    navigation (a table of contents, "back to top" links) or "(Choose N)" stems, and none
    of the studyaws deck markers (`Q:`, `::`, front matter, `{#id}`, scenario blocks)."""
    if re.search(r"^(?:Q|A|C|Order):\s", text, re.MULTILINE) or "```scenario" in text:
        return False
    if re.search(r"\S\s:::?\s\S", text) or text.startswith("---"):
        return False
    if re.search(r"\{#[A-Za-z0-9_.\-]+\}\s*$", text, re.MULTILINE):
        return False  # stable ids are a studyaws deck's
    sections = _sections(text.split("\n"))
    questions = sum(1 for s in sections if s.level and _options_in(s))
    if not questions:
        return False
    navigation = bool(_BACK_TO_TOP.search(text)) or any(_is_toc(s) for s in sections)
    chooses = bool(re.search(r"^\s{0,3}#{1,6}\s.*\((?:choose|select)\s+\w+", text,
                             re.IGNORECASE | re.MULTILINE))
    return navigation or chooses


def parse(text: str, path: str) -> FormatResult:
    lines = clean(text).split("\n")
    sections = _sections(lines)
    skipped: list[Skipped] = []
    items = []
    title = Path(path).stem
    first_h1 = next((s for s in sections if s.level == 1), None)
    if first_h1 is not None and not _options_in(first_h1):
        title = first_h1.title
    topics: list[tuple[int, str]] = []
    for section in sections:
        if _is_toc(section):
            skipped.append(Skipped(path, section.line or _first_line(section),
                                   "table of contents (navigation, not a question)"))
            continue
        options = _options_in(section)
        if not options:
            if section.level == 0:
                continue
            if _looks_like_question(section):
                skipped.append(Skipped(path, section.line,
                                       "question without '- [ ]' / '- [x]' options"))
                continue
            if section is first_h1:
                continue
            while topics and topics[-1][0] >= section.level:
                topics.pop()
            topics.append((section.level, tidy(markdown_images(section.title, keep=False))))
            continue
        if section.level == 0:
            skipped.append(Skipped(path, _first_line(section),
                                   "options without a question heading before them"))
            continue
        item, reason = _question(section, tuple(t for _, t in topics))
        if reason:
            skipped.append(Skipped(path, section.line, reason))
        else:
            items.append(item)
    return FormatResult(finish(path, tidy(title), items), skipped)


def _sections(lines: list[str]) -> list[_Section]:
    sections = [_Section(0, 0, "")]
    fence: str | None = None
    for number, raw in enumerate(lines, start=1):
        fence_match = _FENCE.match(raw)
        if fence is not None:
            if fence_match and fence_match.group(1)[0] == fence[0] \
                    and len(fence_match.group(1)) >= len(fence):
                fence = None
            sections[-1].body.append((number, raw))
            continue
        if fence_match:
            fence = fence_match.group(1)
            sections[-1].body.append((number, raw))
            continue
        heading = _HEADING.match(raw)
        if heading:
            sections.append(_Section(number, len(heading.group(1)), heading.group(2)))
        else:
            sections[-1].body.append((number, raw))
    return sections


def _first_line(section: _Section) -> int:
    return next((n for n, raw in section.body if raw.strip()), section.line or 1)


def _options_in(section: _Section) -> list[int]:
    """Indexes (into body) of the task-list lines that are options."""
    return [k for k, (_, raw) in enumerate(section.body) if _TASK.match(raw)]


def _is_toc(section: _Section) -> bool:
    if _options_in(section):
        return False
    links = sum(1 for _, raw in section.body if _LINK_ITEM.match(raw))
    other = sum(1 for _, raw in section.body
                if raw.strip() and not _LINK_ITEM.match(raw) and not _is_navigation(raw))
    if section.title.strip().lower().strip("*_: ") in _TOC_TITLES and links:
        return True
    return links >= 3 and other == 0


def _is_navigation(raw: str) -> bool:
    return bool(_ANCHOR_ONLY.match(raw)) or (
        bool(_BACK_TO_TOP.search(raw)) and "](" in raw)


def _looks_like_question(section: _Section) -> bool:
    title = section.title.strip()
    return section.level >= 3 and (title.endswith("?") or "(choose" in title.lower()
                                   or "(select" in title.lower())


def _question(section: _Section, topic: tuple[str, ...]):
    body = section.body
    option_rows = _options_in(section)
    first, last = option_rows[0], option_rows[-1]
    stem_lines = [section.title] + [raw for _, raw in body[:first] if not _is_navigation(raw)]
    stem = tidy(strip_numbering(markdown_images("\n".join(stem_lines))))

    options: list[str] = []
    correct: list[int] = []
    for k in range(first, last + 1):
        raw = body[k][1]
        task = _TASK.match(raw)
        if task:
            if task.group(2) in "xX":
                correct.append(len(options))
            options.append(task.group(3).strip())
        elif not raw.strip() or _is_navigation(raw):
            continue
        elif raw.startswith((" ", "\t")):
            options[-1] = (options[-1] + "\n" + raw.strip()).strip()
        else:
            return None, f"text between the options on line {body[k][0]}"
    # Indented lines right after the last option continue it; the rest is the explanation.
    rest = [raw for _, raw in body[last + 1:]]
    while rest and rest[0].strip() and rest[0].startswith((" ", "\t")):
        options[-1] = (options[-1] + "\n" + rest.pop(0).strip()).strip()
    options = [tidy(markdown_images(option)) for option in options]
    kept = [raw for raw in rest if not _is_navigation(raw) and not _RULE.match(raw)]
    explanation = tidy(_DETAILS_TAG.sub("", markdown_images("\n".join(kept))))
    reason = choice_problem(stem, options, correct)
    if reason:
        return None, reason
    return choice_item(section.line, topic, stem, options, correct, explanation), None
