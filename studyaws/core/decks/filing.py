"""Filing an imported deck's questions under exam domains: a question keeps the domain its
deck or bank writes; one without gets the domain the import names (`--domain`), else one
inferred from its text (core.domain_inference), marked inferred. The text places a question
in every exam's domains (an SAA-C03 question also fits a CLF-C02 one), so inference only
files it under the exams the bank's title or file name names, else under the exam the user
studies for (the target-exam setting). Pure."""

from __future__ import annotations

from studyaws.core.decks.model import Item, ParsedDeck

QUESTION_KINDS = ("choice", "ordering", "numeric")  # scenarios carry their deck's domain


def question_text(item: Item) -> str:
    """Stem, options (or items) and explanation, in that order."""
    payload = item.payload
    parts = [str(payload.get("stem") or item.prompt)]
    parts += [str(option) for option in payload.get("options", ()) or payload.get("items", ())]
    parts.append(str(payload.get("explanation") or item.explanation))
    return "\n".join(part for part in parts if part)


def file_questions(deck: ParsedDeck, domains: dict[str, str] | None = None,
                   name: str = "", target_exam: str = "saa-c03") -> int:
    """File the deck's questions that have no domain; returns how many remain unfiled.
    `domains`: the import's own (exam -> slug); `name`: the file's name, read with the
    deck's title for the exams a bank names."""
    from studyaws.core.domain_inference import exams_named, infer_domains

    named = exams_named(f"{deck.title} {name}") or (target_exam,)
    unfiled = 0
    for item in deck.items:
        if item.kind not in QUESTION_KINDS or item.domains:
            continue
        if domains:
            item.domains = dict(domains)
            item.domain_inferred = False
            continue
        inferred = {exam: slug for exam, slug in infer_domains(question_text(item)).items()
                    if exam in named}
        if inferred:
            item.domains = inferred
            item.domain_inferred = True
        else:
            unfiled += 1
    return unfiled
