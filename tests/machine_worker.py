"""One studyaws "machine" for tests/test_two_machines.py, run as its own process: it opens the
collection named by its data folder's config.toml (STUDYAWS_HOME) and, once the file `go`
exists, reviews a deck or takes a mock exam through the services, printing one JSON line
for each answer it saved.

    python tests/machine_worker.py NAME review DECK_TITLE MIN_ANSWERS SYNC_DIR
    python tests/machine_worker.py NAME exam DECK_TITLE QUESTIONS SYNC_DIR

It writes SYNC_DIR/ready-NAME once open, and a reviewer goes on past MIN_ANSWERS until the
file SYNC_DIR/imported-2 exists (the importer has run twice meanwhile).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from studyaws.core.clock import Clock
from studyaws.core.config import database_url
from studyaws.core.srs import policy
from studyaws.services import exam
from studyaws.services.collection import open_collection
from studyaws.services.review import ReviewService
from studyaws.store.queries import deck_summaries

LIMIT_S = 120  # whatever happens, a worker stops by then


def say(**fields) -> None:
    print(json.dumps(fields), flush=True)


def main(name: str, role: str, deck: str, number: int, sync: Path) -> int:
    engine = open_collection(db=database_url(), import_bundled=False)
    clock = Clock()
    deck_id = next(d.id for d in deck_summaries(engine, clock.now(), clock.now())
                   if d.title == deck)
    (sync / f"ready-{name}").touch()
    started = time.monotonic()
    while not (sync / "go").exists():
        if time.monotonic() - started > LIMIT_S:
            return 3
        time.sleep(0.01)
    if role == "review":
        service = ReviewService(engine, clock, deck_id)
        answered = 0
        # At least `number` answers, and on until the importer has run twice meanwhile.
        while answered < number or not (sync / "imported-2").exists():
            if time.monotonic() - started > LIMIT_S:
                return 4
            view = service.next_card()
            if view is None:
                break
            rating = (policy.GOOD, policy.EASY)[answered % 2]
            result = service.answer(view, rating, 1000)
            answered += 1
            say(card=view.id, log=result.log_id, rating=rating)
        return 0
    view = exam.start_exam(engine, clock, "quick", questions=number, deck_id=deck_id, seed=7)
    for item in view.items:
        exam.save_answer(engine, view.id, item, {"chosen": sorted(item.question.correct)},
                         2.0, clock.now())
        say(exam=view.id, card=item.card_id)
        time.sleep(0.02)
    exam.finish_exam(engine, clock, view)
    say(finished=view.id)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), Path(sys.argv[5])))
