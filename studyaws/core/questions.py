"""Objective questions: the shapes a question can take and how a response is graded.

Pure: used by the deck parser, the scenario generators, the review and the exam.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Choice:
    """Single choice (one correct option) or multi-select ("choose N")."""

    stem: str
    options: tuple[str, ...]
    correct: frozenset[int]
    explanation: str = ""

    @property
    def multi(self) -> bool:
        return len(self.correct) > 1

    @property
    def choose(self) -> int:
        return len(self.correct)


@dataclass(frozen=True)
class Ordering:
    """Put items in order; `items` is the correct order."""

    stem: str
    items: tuple[str, ...]
    explanation: str = ""


@dataclass(frozen=True)
class Numeric:
    """A typed number, right when within `tolerance` of `answer`."""

    stem: str
    answer: float
    tolerance: float = 0.0
    explanation: str = ""
    unit: str = ""


Question = Choice | Ordering | Numeric


@dataclass(frozen=True)
class Response:
    """What the user gave: chosen option indexes, an order of item indexes, or typed text."""

    chosen: frozenset[int] = field(default_factory=frozenset)
    order: tuple[int, ...] = ()
    text: str = ""


def response_to_dict(question: Question, response: Response) -> dict:
    """A response as it is stored: {"chosen": [...]}, {"order": [...]} or {"text": ...}."""
    if isinstance(question, Choice):
        return {"chosen": sorted(response.chosen)}
    if isinstance(question, Ordering):
        return {"order": list(response.order)}
    return {"text": response.text}


def response_from_dict(question: Question, data: dict | None) -> Response | None:
    """A stored response back (None stays None)."""
    if data is None:
        return None
    if isinstance(question, Choice):
        return Response(chosen=frozenset(data.get("chosen", [])))
    if isinstance(question, Ordering):
        return Response(order=tuple(data.get("order", [])))
    return Response(text=str(data.get("text", "")))


def parse_number(text: str) -> float | None:
    cleaned = text.strip().replace(",", "").replace("_", "")
    try:
        return float(cleaned)
    except ValueError:
        return None


def is_correct(question: Question, response: Response) -> bool:
    """All-or-nothing grading: multi-select needs exactly the correct set."""
    if isinstance(question, Choice):
        return response.chosen == question.correct
    if isinstance(question, Ordering):
        return response.order == tuple(range(len(question.items)))
    value = parse_number(response.text)
    return value is not None and abs(value - question.answer) <= question.tolerance + 1e-9


def format_number(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def answer_text(question: Question, lines: bool = False) -> str:
    """The right answer in words: the correct options, the order, or the number."""
    if isinstance(question, Choice):
        correct = [question.options[i] for i in sorted(question.correct)]
        return "\n".join(f"• {c}" for c in correct) if lines else "; ".join(correct)
    if isinstance(question, Ordering):
        if lines:
            return "\n".join(f"{n}. {item}" for n, item in enumerate(question.items, 1))
        return " → ".join(question.items)
    text = format_number(question.answer)
    if question.tolerance:
        text += f" ± {format_number(question.tolerance)}"
    return f"{text} {question.unit}".strip()


def response_text(question: Question, response: dict | None) -> str:
    """What the user answered, in words (`response` as stored: chosen, order or text). An
    index the question no longer has (its deck was edited since) is said by its number."""
    if response is None:
        return "(not answered)"

    def named(texts: tuple[str, ...], index: int, what: str) -> str:
        if 0 <= index < len(texts):
            return texts[index]
        return f"{what} {index + 1} (no longer in the question)"

    if isinstance(question, Choice):
        return "; ".join(named(question.options, i, "option")
                         for i in sorted(response.get("chosen", []))) or "–"
    if isinstance(question, Ordering):
        return " → ".join(named(question.items, i, "item") for i in response.get("order", []))
    return str(response.get("text", ""))


def response_fits(question: Question, response: dict | None) -> bool:
    """Whether a stored response still fits the question: every chosen option exists, the
    order is an order of exactly its items."""
    if response is None:
        return True
    if isinstance(question, Choice):
        return all(0 <= i < len(question.options) for i in response.get("chosen", []))
    if isinstance(question, Ordering):
        return sorted(response.get("order", [])) == list(range(len(question.items)))
    return True


def question_to_dict(question: Question) -> dict:
    if isinstance(question, Choice):
        return {
            "type": "choice",
            "stem": question.stem,
            "options": list(question.options),
            "correct": sorted(question.correct),
            "explanation": question.explanation,
        }
    if isinstance(question, Ordering):
        return {
            "type": "ordering",
            "stem": question.stem,
            "items": list(question.items),
            "explanation": question.explanation,
        }
    return {
        "type": "numeric",
        "stem": question.stem,
        "answer": question.answer,
        "tolerance": question.tolerance,
        "explanation": question.explanation,
        "unit": question.unit,
    }


def question_from_dict(data: dict) -> Question:
    kind = data["type"]
    if kind == "choice":
        return Choice(
            data["stem"], tuple(data["options"]), frozenset(data["correct"]), data.get("explanation", "")
        )
    if kind == "ordering":
        return Ordering(data["stem"], tuple(data["items"]), data.get("explanation", ""))
    if kind == "numeric":
        return Numeric(
            data["stem"],
            float(data["answer"]),
            float(data.get("tolerance", 0.0)),
            data.get("explanation", ""),
            data.get("unit", ""),
        )
    raise ValueError(f"unknown question type {kind!r}")
