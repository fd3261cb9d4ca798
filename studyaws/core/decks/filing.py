"""Filing an imported deck's questions under exam domains: a question keeps the domain its
deck or bank writes; one without gets the domain the import names (`--domain`), else one
inferred from its text (core.domain_inference), marked inferred. Inference only files a
question under the exams a bank's title names, when it names any. Pure."""

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
                   name: str = "") -> int:
    """File the deck's questions that have no domain; returns how many remain unfiled.
    `domains`: the import's own (exam -> slug); `name`: the file's name, read with the
    deck's title for the exams a bank names."""
    from studyaws.core.domain_inference import exams_named, infer_domains

    named = exams_named(f"{deck.title} {name}")
    unfiled = 0
    for item in deck.items:
        if item.kind not in QUESTION_KINDS or item.domains:
            continue
        if domains:
            item.domains = dict(domains)
            item.domain_inferred = False
            continue
        inferred = infer_domains(question_text(item))
        if named:
            inferred = {exam: slug for exam, slug in inferred.items() if exam in named}
        if inferred:
            item.domains = inferred
            item.domain_inferred = True
        else:
            unfiled += 1
    return unfiled
