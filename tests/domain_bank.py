"""Question banks for the domain-inference tests, assembled from the bundled decks.

The decks' objective questions carry their true exam domain (`> domain:` or the deck's front
matter). `saa_task_list_bank` writes the SAA-C03 choice questions as a task-list bank
(`md-tasks`) and `clf_numbered_bank` the CLF-C02 ones as a numbered bank (`md-numbered`),
both with no domain anywhere in them, and return the true domains in the order the readers
give the questions back, so that a test can read the bank with the real reader and compare.

Run as a script to write the banks and print their sizes:
`python tests/domain_bank.py OUT_DIR`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, replace
from pathlib import Path

from studyaws.core.decks.model import Item
from studyaws.core.decks.parser import parse_deck

DECKS = Path(__file__).resolve().parent.parent / "decks"
SAA = ("secure", "resilient", "high-performing", "cost-optimized")
CLF = ("cloud-concepts", "security-compliance", "technology-services", "billing-support")
CLF_DECK = "cloud-practitioner.md"
# The decks whose questions the inference table was tuned on (every other SAA deck in name
# order); agreement is measured on the rest too, which the tuning never looked at. For the
# CLF-C02 set, the tuning looked at the odd-numbered questions only.
TUNED_DECKS = ("analytics-streaming.md", "architecture-well-architected.md",
               "databases-nosql-analytics.md", "edge-dns.md", "migration-transfer.md",
               "operations-cost.md", "security-data-protection.md", "storage.md")


@dataclass(frozen=True)
class Question:
    deck: str  # the deck file it came from, for held-out splits
    stem: str
    options: tuple[str, ...]
    correct: tuple[int, ...]
    explanation: str
    domain: str  # the true domain, as the deck tags it


def saa_deck_files() -> list[Path]:
    return sorted(p for p in DECKS.glob("*.md")
                  if p.name not in {"README.md", "CORRECTIONS.md", CLF_DECK})


def questions(paths: list[Path], domains: tuple[str, ...]) -> list[Question]:
    """The single- and multiple-choice questions of the decks whose domain is one of
    `domains`, in deck order."""
    found = []
    for path in paths:
        deck = parse_deck(path.read_text(encoding="utf-8"), str(path))
        for item in deck.items:
            domain = _domain_of(item, domains)
            if item.kind == "choice" and domain:
                payload = item.payload
                found.append(Question(path.name, payload["stem"], tuple(payload["options"]),
                                      tuple(payload["correct"]), item.explanation, domain))
    return found


def _domain_of(item: Item, domains: tuple[str, ...]) -> str | None:
    # Per-exam domains (`saa-c03: resilient, clf-c02: technology`) where the deck parser
    # knows them, else the single slug.
    per_exam = getattr(item, "domains", None)
    if isinstance(per_exam, dict):
        return next((slug for slug in per_exam.values() if slug in domains), None)
    return item.domain if item.domain in domains else None


def saa_task_list_bank(paths: list[Path] | None = None, *, explanations: bool = True
                       ) -> tuple[str, list[Question]]:
    """An SAA-C03 task-list bank (headings, `- [x]` options, a table of contents, "back to
    top" links) and its questions in bank order; without `explanations`, like the many
    public banks that give none."""
    chosen = questions(paths if paths is not None else saa_deck_files(), SAA)
    if not explanations:
        chosen = [replace(q, explanation="") for q in chosen]
    sections: dict[str, list[Question]] = {}
    for question in chosen:
        sections.setdefault(_section_title(question.deck), []).append(question)
    out = ["# AWS Solutions Architect Associate (SAA-C03) practice questions", "",
           "## Table of Contents", ""]
    out += [f"- [{title}](#{_anchor(title)})" for title in sections]
    ordered: list[Question] = []
    number = 0
    for title, group in sections.items():
        out += ["", f"## {title}", ""]
        for question in group:
            number += 1
            ordered.append(question)
            first, *rest = question.stem.split("\n")
            out.append(f"### {number}. {first}")
            if rest:
                out += ["", *rest]
            out.append("")
            for k, option in enumerate(question.options):
                mark = "x" if k in question.correct else " "
                head, *more = option.split("\n")
                out.append(f"- [{mark}] {head}")
                out += [f"  {line}" for line in more]
            if question.explanation:
                out += ["", question.explanation]
            out += ["", "**[⬆ Back to Top](#table-of-contents)**", ""]
    return "\n".join(out) + "\n", ordered


def clf_numbered_bank(path: Path | None = None) -> tuple[str, list[Question]]:
    """A CLF-C02 numbered bank (lettered options, the answer in a `<details>` block) and its
    questions in bank order."""
    chosen = questions([path or DECKS / CLF_DECK], CLF)
    out = ["# AWS Certified Cloud Practitioner (CLF-C02) practice questions", ""]
    for number, question in enumerate(chosen, start=1):
        out.append(f"{number}. {_one_line(question.stem)}")
        letters = "ABCDEFGHI"
        out += [f"    - {letters[k]}. {_one_line(option)}"
                for k, option in enumerate(question.options)]
        answer = "".join(letters[k] for k in question.correct)
        out += ["", "    <details markdown=1><summary markdown='span'>Answer</summary>",
                f"      Correct answer: {answer}", ""]
        out += [f"      {line}" for line in question.explanation.split("\n") if line.strip()]
        out += ["    </details>", ""]
    return "\n".join(out) + "\n", chosen


def _section_title(deck_name: str) -> str:
    return deck_name.removesuffix(".md").replace("-", " ").capitalize()


def _anchor(title: str) -> str:
    return title.lower().replace(" ", "-")


def _one_line(text: str) -> str:
    return " ".join(text.split())


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    target.mkdir(parents=True, exist_ok=True)
    saa_text, saa = saa_task_list_bank()
    clf_text, clf = clf_numbered_bank()
    (target / "saa-c03-bank.md").write_text(saa_text, encoding="utf-8")
    (target / "clf-c02-bank.md").write_text(clf_text, encoding="utf-8")
    print(f"{len(saa)} SAA-C03 questions, {len(clf)} CLF-C02 questions written to {target}")
