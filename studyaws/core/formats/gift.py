"""Moodle GIFT.

```text
// a comment
$CATEGORY: $course$/AWS/Storage

::s3-class:: Which storage class suits rarely read archives? {
  =S3 Glacier Deep Archive #Cheapest, hours to restore.
  ~S3 Standard
  ~S3 Intelligent-Tiering
  #### Deep Archive is the cheapest class.
}

Amazon S3 is a regional service. {T}
How many days at most can RDS keep automated backups? {#35}
Which two are serverless? {~%50%AWS Lambda ~%50%AWS Fargate ~%-100%Amazon EC2}
What does the S in S3 stand for? {=Simple =simple}
```

Questions are separated by blank lines. `=` marks a right answer, `~` a wrong one; weights
`~%50%` with a positive value mark right answers of a multi-response question; `{T}` and
`{F}` are true/false; `{#value}`, `{#value:tolerance}` and `{#min..max}` are numeric; a
block of `=` answers only is a short answer (imported as a basic card). `#feedback` and
`####general feedback` become the explanation, `$CATEGORY:` the topic. The title between
`::` is a name, not shown. `\\~ \\= \\# \\{ \\} \\:` are literal characters, `\\n` a line break.
Matching questions and essays (empty `{}`) are skipped.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

from studyaws.core.decks.model import Item
from studyaws.core.formats.common import (
    FormatResult,
    Skipped,
    check_made,
    choice_item,
    choice_problem,
    finish,
    html_to_text,
    markdown_images,
    numeric_item,
    tidy,
)
from studyaws.core.text import clean

_ESCAPABLE = "~=#{}:\\"
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.IGNORECASE)
_WEIGHT = re.compile(r"^\s*%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = re.compile(r"^(T|TRUE|F|FALSE)\s*(?=#|$)", re.IGNORECASE)
_CATEGORY = re.compile(r"^\s*\$CATEGORY:\s*(.*)$")


def looks_like(text: str) -> bool:
    if re.search(r"^\s*\$CATEGORY:", text, re.MULTILINE):
        return True
    blocks = re.findall(r"(?<!\\)\{([^{}]*)(?<!\\)\}", text)
    answers = [b for b in blocks if re.search(r"(^|\s)[=~]", b) or
               re.fullmatch(r"\s*(T|F|TRUE|FALSE)\s*(#.*)?", b, re.S) or
               b.lstrip().startswith("#")]
    return bool(answers) and len(answers) * 2 >= len(blocks)


def parse(text: str, path: str) -> FormatResult:
    skipped: list[Skipped] = []
    items: list[Item] = []
    topic: tuple[str, ...] = ()
    title = Path(path).stem
    for line, chunk in _chunks(clean(text)):
        category = _CATEGORY.match(chunk[0])
        if category:
            topic = _category(category.group(1))
            chunk, line = chunk[1:], line + 1
            if not chunk:
                continue
        item, reason = _question("\n".join(chunk).strip(), line, topic)
        if reason:
            skipped.append(Skipped(path, line, reason))
        else:
            items.append(item)
            check_made(len(items), path, line)
    return FormatResult(finish(path, title, items), skipped)


def _chunks(text: str) -> list[tuple[int, list[str]]]:
    """Questions: runs of lines between blank lines, comment lines left out."""
    chunks: list[tuple[int, list[str]]] = []
    current: list[str] = []
    first = 0
    for number, raw in enumerate(text.split("\n"), start=1):
        if raw.lstrip().startswith("//"):
            continue
        if not raw.strip():
            if current:
                chunks.append((first, current))
                current = []
            continue
        if not current:
            first = number
        current.append(raw)
    if current:
        chunks.append((first, current))
    return chunks


def _category(path: str) -> tuple[str, ...]:
    parts = [p.strip() for p in path.strip().split("/") if p.strip()]
    while parts and parts[0].lower() in ("$course$", "$module$", "$system$", "$cat1$",
                                         "$cat2$", "$cat3$", "top"):
        parts.pop(0)
    return tuple(parts)


def _find(text: str, token: str, start: int = 0) -> int:
    """The index of the first `token` at or after `start` that is not escaped, or -1."""
    k = start
    while k < len(text):
        if text[k] == "\\":
            k += 2
            continue
        if text.startswith(token, k):
            return k
        k += 1
    return -1


def _split(text: str, markers: str) -> list[tuple[str, str]]:
    """`=a ~b` -> [('=', 'a '), ('~', 'b')]; text before the first marker has marker ''."""
    parts: list[tuple[str, str]] = []
    marker, begin, k = "", 0, 0
    while k < len(text):
        if text[k] == "\\":
            k += 2
            continue
        if text[k] in markers:
            parts.append((marker, text[begin:k]))
            marker, begin = text[k], k + 1
        k += 1
    parts.append((marker, text[begin:]))
    return parts


def _unescape(text: str) -> str:
    out, k = [], 0
    while k < len(text):
        ch = text[k]
        if ch == "\\" and k + 1 < len(text):
            nxt = text[k + 1]
            out.append("\n" if nxt == "n" else nxt if nxt in _ESCAPABLE else ch + nxt)
            k += 2
            continue
        out.append(ch)
        k += 1
    return "".join(out)


def _render(text: str, fmt: str) -> str:
    text = _unescape(text)
    text = html_to_text(text) if fmt == "html" else markdown_images(text)
    return tidy(text, hard_breaks=fmt != "markdown")


def _question(text: str, line: int, topic: tuple[str, ...]):
    if text.startswith("::"):
        end = _find(text, "::", 2)
        if end < 0:
            return None, "question title '::' is never closed"
        text = text[end + 2:].lstrip()
    fmt = "moodle"
    match = _FORMAT.match(text)
    if match:
        fmt, text = match.group(1).lower(), text[match.end():]
    open_at = _find(text, "{")
    if open_at < 0:
        return None, "no answer block {...}: a description, not a question"
    close_at = _find(text, "}", open_at + 1)
    if close_at < 0:
        return None, "'{' is never closed with '}'"
    before, body, after = text[:open_at], text[open_at + 1:close_at], text[close_at + 1:]
    if _find(after, "{") >= 0:
        return None, "more than one answer block {...} in one question"
    stem = _render(before, fmt)
    if after.strip():
        stem = f"{stem} _____ {_render(after, fmt)}".strip()
    if not stem:
        return None, "question has no text"

    general = ""
    split_at = _find(body, "####")
    if split_at >= 0:
        body, general = body[:split_at], _render(body[split_at + 4:], fmt)
    body = body.strip()
    if not body:
        return None, "essay question (empty {}): no answer to check"

    true_false = _TRUE_FALSE.match(body)
    if true_false:
        is_true = true_false.group(1).upper().startswith("T")
        feedback = [_render(part, fmt) for _, part in _split(body, "#")[1:]]
        right = feedback[1] if len(feedback) > 1 else (feedback[0] if feedback else "")
        explanation = "\n\n".join(t for t in (general, right) if t)
        return choice_item(line, topic, stem, ["True", "False"], [0 if is_true else 1],
                           explanation), None
    if body.startswith("#"):
        return _numeric(body[1:], line, topic, stem, general, fmt)

    answers = _split(body, "=~")
    lead = answers.pop(0)[1]
    if lead.strip():
        return None, "answer block must start with '=' or '~'"
    if not answers:
        return None, "no answers in the answer block"
    parsed = []
    for marker, raw in answers:
        if _find(raw, "->") >= 0:
            return None, "matching question: not supported"
        weight = None
        w = _WEIGHT.match(raw)
        if w:
            weight, raw = float(w.group(1)), raw[w.end():]
        head = _split(raw, "#")
        answer = _render(head[0][1], fmt)
        feedback = " ".join(_render(part, fmt) for _, part in head[1:]).strip()
        parsed.append((marker, weight, answer, feedback))

    if all(marker == "=" for marker, *_ in parsed):
        accepted = [a for _, w, a, _ in parsed if a and (w is None or w > 0)]
        if not accepted:
            return None, "short answer without an answer"
        answer = accepted[0]
        if len(accepted) > 1:
            answer += "\n\nAlso accepted: " + ", ".join(accepted[1:])
        notes = [f for *_, f in parsed if f]
        explanation = "\n\n".join([general, *notes] if general else notes)
        return Item("basic", line, topic, stem, answer, explanation=explanation), None

    options = [a for _, _, a, _ in parsed]
    correct = [n for n, (marker, weight, _, _) in enumerate(parsed)
               if (marker == "=" and (weight is None or weight > 0))
               or (marker == "~" and weight is not None and weight > 0)]
    notes = [f"- {a}: {f}" for _, _, a, f in parsed if f]
    explanation = "\n\n".join(t for t in (general, "\n".join(notes)) if t)
    reason = choice_problem(stem, options, correct)
    if reason:
        return None, reason
    return choice_item(line, topic, stem, options, correct, explanation), None


def _numeric(body: str, line: int, topic: tuple[str, ...], stem: str, general: str, fmt: str):
    answers = _split(body, "=")
    lead = answers.pop(0)[1]
    if lead.strip():
        answers.insert(0, ("=", lead))  # the single-answer form: {#3.14:0.01}
    best = None
    for _, raw in answers:
        weight = None
        w = _WEIGHT.match(raw)
        if w:
            weight, raw = float(w.group(1)), raw[w.end():]
        head = _split(raw, "#")
        value = _number_range(_unescape(head[0][1]).strip())
        if value is None:
            return None, f"numeric answer is not a number: {_unescape(head[0][1]).strip()!r}"
        feedback = " ".join(_render(part, fmt) for _, part in head[1:]).strip()
        if weight is None or weight >= 100:
            best = (value, feedback)
            break
        if best is None and weight > 0:
            best = (value, feedback)
    if best is None:
        return None, "numeric question without a right answer"
    (value, tolerance), feedback = best
    explanation = "\n\n".join(t for t in (general, feedback) if t)
    return numeric_item(line, topic, stem, value, tolerance, explanation), None


def _number_range(text: str) -> tuple[float, float] | None:
    try:
        if not all(math.isfinite(float(p)) for p in re.split(r"\.\.|:", text, maxsplit=1)):
            return None
        if ".." in text:
            low, high = (float(p) for p in text.split("..", 1))
            if low > high:
                return None
            return (low + high) / 2, (high - low) / 2
        if ":" in text:
            value, tolerance = (float(p) for p in text.split(":", 1))
            return (value, abs(tolerance))
        return float(text), 0.0
    except ValueError:
        return None
