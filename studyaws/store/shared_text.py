"""Card rows of schema 4 and before, made the way schema 5 keeps them.

Up to schema 4 every card kept its section's notes (`context`), every card of a cloze the
cloze's whole text (in its payload, its prompt and its answer) and its key the whole text
too. Schema 5 keeps each such text once per deck in `shared_text` and shortens long keys
(decks.identity.compact). Used to upgrade a collection (store.engine) and to restore an
older JSON export (exchange.json_dump): both give the same rows.
"""

from __future__ import annotations

import json
import re

from studyaws.core.decks.identity import KEY_TEXT, basis, compact

# json.dumps(payload, sort_keys=True), as the importer writes payloads.
_payload_json = json.JSONEncoder(sort_keys=True).encode
_RETIRED = re.compile(r"^~retired~\d+~")


def share_card_texts(cards: list[dict], first_id: int) -> list[dict]:
    """Change `cards` (schema 4 rows, each with at least id, deck_id, kind, key, prompt,
    answer, payload and context, in id order) in place into schema 5 rows, and return the
    shared_text rows they now refer to, numbered from `first_id`."""
    shared: dict[tuple[int, str], int] = {}
    rows: list[dict] = []

    def text_id(deck_id: int, text: str) -> int:
        key = (deck_id, text)
        if key not in shared:
            shared[key] = first_id + len(rows)
            rows.append({"id": shared[key], "deck_id": deck_id, "text": text})
        return shared[key]

    for card in cards:
        payload = _payload(card["payload"])
        card["key"] = _shorter_key(card, payload)
        context = card.pop("context", "") or ""
        card["context_id"] = text_id(card["deck_id"], context) if context else None
        card["cloze_text_id"] = None
        if card["kind"] == "cloze" and isinstance(payload.get("text"), str):
            card["cloze_text_id"] = text_id(card["deck_id"], payload.pop("text"))
            card["payload"] = _payload_json(payload)
            card["prompt"] = card["answer"] = ""
    return rows


def _payload(text: str | None) -> dict:
    try:
        payload = json.loads(text or "{}")
    except ValueError:
        return {}
    return payload if isinstance(payload, dict) else {}


def _shorter_key(card: dict, payload: dict) -> str:
    """The card's key with a basis longer than KEY_TEXT shortened as new imports write it
    (a retired card's renamed key too); other keys unchanged."""
    key = card["key"]
    if key.startswith("id:"):
        return key
    retired = _RETIRED.match(key)
    prefix = retired.group(0) if retired else ""
    try:
        whole = basis(card["kind"], card["prompt"] or "", card["answer"] or "", payload)
    except (KeyError, TypeError, AttributeError):
        return key
    written = f"{card['kind']}:{whole}"
    if len(whole) <= KEY_TEXT or not key.startswith(written, len(prefix)):
        return key
    return f"{prefix}{card['kind']}:{compact(whole)}{key[len(prefix) + len(written):]}"
