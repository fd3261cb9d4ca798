"""Markdown question banks, numbered style.

```markdown
4. Which two services are serverless? (Choose TWO)
    - A. Amazon EC2
    - B. AWS Lambda
    - C. Amazon RDS
    - D. Amazon DynamoDB

    <details markdown=1><summary markdown='span'>Answer</summary>
      Correct answer: B, D
    </details>
```

The number starts a question; lettered options follow; the answer sits in a `<details>`
block as `Correct answer: B, D` (letters may run together, `BD`). Whatever else the block
holds (an `Explanation: <url>`, say) becomes the explanation, as text: nothing is fetched.
Headings are topics.
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
    tidy,
)
from studyaws.core.text import clean

_QUESTION = re.compile(r"^\s{0,3}(\d+)[.)]\s+(.*)$")
_OPTION = re.compile(r"^\s*[-*+]?\s*([A-Z])[.)]\s+(.*)$")
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")
_DETAILS_OPEN = re.compile(r"<details\b", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)
_SUMMARY = re.compile(r"<summary[^>]*>.*?</summary\s*>", re.IGNORECASE | re.DOTALL)
_TAG = re.compile(r"</?(?:details|summary|p|div|span|b|strong|i|em)\b[^>]*>", re.IGNORECASE)
_CORRECT = re.compile(r"^\s*(?:\*\*|__)?\s*correct\s+answers?\s*(?:is|are)?\s*(?:\*\*|__)?\s*"
                      r"[:\-]\s*(?:\*\*|__)?\s*(.*)$", re.IGNORECASE)
_LETTERS = re.compile(r"^([A-Z](?:(?:\s*[,/&]\s*|\s+and\s+|\s*)[A-Z])*)\b")
_BACK_TO_TOP = re.compile(r"back\s+to\s+(?:the\s+)?top", re.IGNORECASE)


@dataclass
class _Question:
    line: int
    topic: tuple[str, ...]
    stem: list[str]
    options: list[tuple[str, str]] = field(default_factory=list)  # (letter, text)
    details: list[str] | None = None
    closed: bool = False


def looks_like(text: str) -> bool:
    return bool(re.search(r"<summary[^>]*>\s*answers?\s*</summary", text, re.IGNORECASE)) and \
        bool(re.search(r"correct\s+answers?\s*(?:is|are)?\s*[:\-]", text, re.IGNORECASE))


def parse(text: str, path: str) -> FormatResult:
    lines = clean(text).split("\n")
    skipped: list[Skipped] = []
    questions: list[_Question] = []
    topics: list[tuple[int, str]] = []
    title = Path(path).stem
    seen_h1 = False
    current: _Question | None = None
    for number, raw in enumerate(lines, start=1):
        if current is not None and current.details is not None and not current.closed:
            current.details.append(raw)
            if _DETAILS_CLOSE.search(raw):
                current.closed = True
            continue
        heading = _HEADING.match(raw)
        if heading:
            current = None
            level, text_ = len(heading.group(1)), tidy(markdown_images(heading.group(2), keep=False))
            if level == 1 and not seen_h1:
                seen_h1, title = True, text_
                continue
            while topics and topics[-1][0] >= level:
                topics.pop()
            topics.append((level, text_))
            continue
        question = _QUESTION.match(raw)
        if question:
            current = _Question(number, tuple(t for _, t in topics), [question.group(2)])
            questions.append(current)
            continue
        if current is None or current.closed:
            continue
        if _DETAILS_OPEN.search(raw):
            current.details = [raw]
            if _DETAILS_CLOSE.search(raw):
                current.closed = True
            continue
        option = _OPTION.match(raw)
        if option and (current.options or raw.lstrip().startswith(("-", "*", "+"))
                       or option.group(1) == "A"):
            current.options.append((option.group(1), option.group(2)))
        elif not raw.strip() or _BACK_TO_TOP.search(raw):
            continue
        elif current.options:
            letter, text_ = current.options[-1]
            current.options[-1] = (letter, text_ + "\n" + raw.strip())
        else:
            current.stem.append(raw.strip())

    items = []
    for q in questions:
        item, reason = _item(q)
        if reason:
            skipped.append(Skipped(path, q.line, reason))
        else:
            items.append(item)
    return FormatResult(finish(path, title, items), skipped)


def _item(q: _Question):
    stem = tidy(markdown_images("\n".join(q.stem)))
    if not q.options:
        return None, "question without lettered options ('- A. ...')"
    if q.details is None:
        return None, "no <details> block with the answer"
    if not q.closed:
        return None, "<details> block is never closed with </details>"
    letters = [letter for letter, _ in q.options]
    if len(set(letters)) != len(letters):
        return None, "two options have the same letter"
    body = _SUMMARY.sub("", "\n".join(q.details))
    body = _TAG.sub("", body)
    answer: list[str] | None = None
    explanation: list[str] = []
    for raw in body.split("\n"):
        match = _CORRECT.match(raw)
        if match and answer is None:
            letters_match = _LETTERS.match(match.group(1).strip())
            if not letters_match:
                return None, f"cannot read the correct answer {match.group(1).strip()!r}"
            answer = re.findall(r"[A-Z]", letters_match.group(1))
            rest = match.group(1).strip()[letters_match.end():].strip(" .*_-:")
            if rest:
                explanation.append(rest)
        else:
            explanation.append(raw.strip())
    if answer is None:
        return None, "no 'Correct answer:' in the <details> block"
    unknown = [a for a in answer if a not in letters]
    if unknown:
        return None, f"answer {', '.join(unknown)} is not one of the options " \
                     f"({', '.join(letters)})"
    options = [tidy(markdown_images(text)) for _, text in q.options]
    correct = sorted({letters.index(a) for a in answer})
    reason = choice_problem(stem, options, correct)
    if reason:
        return None, reason
    return choice_item(q.line, q.topic, stem, options, correct,
                       tidy(markdown_images("\n".join(explanation)))), None
