"""Aiken: the plain-text multiple-choice format Moodle reads.

```text
Which service gives a private network in AWS?
A. Amazon VPC
B. Amazon S3
C) Amazon SQS
ANSWER: A
```

The question's lines, then lettered options (`A.` or `A)`), then `ANSWER: X`. studyaws
also reads `ANSWER: A, C` as a multi-select question.
"""

from __future__ import annotations

import re
from pathlib import Path

from studyaws.core.decks.model import Item
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

_OPTION = re.compile(r"^\s*([A-Z])[.)]\s+(.*)$")
_ANSWER = re.compile(r"^\s*ANSWER\s*:\s*(.*?)\s*$", re.IGNORECASE)


def looks_like(text: str) -> bool:
    answers = len(re.findall(r"^\s*ANSWER\s*:\s*[A-Z]", text, re.MULTILINE | re.IGNORECASE))
    options = len(re.findall(r"^\s*[A-Z][.)]\s+\S", text, re.MULTILINE))
    return answers > 0 and options >= 2 * answers


def parse(text: str, path: str) -> FormatResult:
    skipped: list[Skipped] = []
    items: list[Item] = []
    stem: list[str] = []
    options: list[tuple[str, str]] = []
    start = 0

    def unfinished(line: int) -> None:
        skipped.append(Skipped(path, line, "no 'ANSWER:' line after the options"))

    for number, raw in enumerate(clean(text).split("\n"), start=1):
        answer = _ANSWER.match(raw)
        option = _OPTION.match(raw)
        if answer:
            if not stem and not options:
                skipped.append(Skipped(path, number, "'ANSWER:' without a question"))
                continue
            item, reason = _item(start, stem, options, answer.group(1))
            if reason:
                skipped.append(Skipped(path, start, reason))
            else:
                items.append(item)
            stem, options = [], []
        elif option and stem:
            options.append((option.group(1), option.group(2).strip()))
        elif not raw.strip():
            continue
        elif options:
            # Text after the options without an ANSWER line: that question is broken and
            # this line starts the next one.
            unfinished(start)
            stem, options, start = [raw.strip()], [], number
        else:
            if not stem:
                start = number
            stem.append(raw.strip())
    if stem:
        unfinished(start)
    return FormatResult(finish(path, Path(path).stem, items), skipped)


def _item(line: int, stem_lines: list[str], options: list[tuple[str, str]], answer: str):
    letters = [letter for letter, _ in options]
    if len(set(letters)) != len(letters):
        return None, "two options have the same letter"
    given = [a.strip() for a in re.split(r"[,\s]+", answer.strip()) if a.strip()]
    if not given or not all(re.fullmatch(r"[A-Z]", a) for a in given):
        return None, f"cannot read 'ANSWER: {answer}' (expected a letter such as 'ANSWER: B')"
    unknown = [a for a in given if a not in letters]
    if unknown:
        return None, f"answer {', '.join(unknown)} is not one of the options " \
                     f"({', '.join(letters) or 'none'})"
    stem = tidy(markdown_images("\n".join(stem_lines)), hard_breaks=True)
    texts = [tidy(markdown_images(text)) for _, text in options]
    correct = sorted({letters.index(a) for a in given})
    reason = choice_problem(stem, texts, correct)
    if reason:
        return None, reason
    return choice_item(line, (), stem, texts, correct), None
