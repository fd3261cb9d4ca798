"""Several machines on one PostgreSQL collection, as real processes: each "machine" has its
own data folder whose config.toml names the same database. Two review the same deck, one
takes a mock exam on it, a fourth imports again and again. Nothing is lost, no card is left
with a schedule that ignores an answer (the later answer is scheduled from the earlier
one's result, and both are logged), and every machine's home shows the same counts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

from sqlalchemy import select
from terminal import studyaws_command
from test_exam_core import QUESTIONS

from studyaws.core.srs.policy import LEARNING, NEW, RELEARNING, Memory
from studyaws.store.engine import open_engine, reading
from studyaws.store.settings import mark_bundled_decks
from studyaws.store.tables import Card, CardState, Deck, ReviewLog

WORKER = Path(__file__).with_name("machine_worker.py")
TIMEOUT_S = 180


def shared_deck(cards: int) -> str:
    plain = "\n\n".join(f"Q: Shared card {n}\nA: Answer {n}" for n in range(1, cards + 1))
    return f"# Shared\n\n{QUESTIONS}\n\n{plain}\n"


def churn_deck(round_: int) -> str:
    return "# Churn\n\n" + "\n\n".join(
        f"Q: Churn {n} round {round_}?\nA: Answer {n}" for n in range(1, 61)) + "\n"


def machine(tmp_path: Path, name: str, url: str) -> dict[str, str]:
    """A machine's environment: its own data folder, the database named in its config.toml."""
    home = tmp_path / name
    home.mkdir()
    (home / "config.toml").write_text(f'database = "{url}"\n', encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if not k.startswith("STUDYAWS")}
    env.update(STUDYAWS_HOME=str(home), PYTHONPATH=str(Path(__file__).parent))
    return env


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*studyaws_command(), *args], env=env, capture_output=True,
                          text=True, timeout=TIMEOUT_S, stdin=subprocess.DEVNULL)


def test_two_machines_review_and_take_an_exam_while_a_third_imports(pg_database, tmp_path):
    engine = open_engine(pg_database)
    mark_bundled_decks(engine, "2026-01-01T00:00:00")  # the bundled decks are not wanted here
    laptop, desktop, work = (machine(tmp_path, name, pg_database)
                             for name in ("laptop", "desktop", "work"))
    shared = tmp_path / "shared.md"
    shared.write_text(shared_deck(150), encoding="utf-8")
    churn = tmp_path / "churn.md"
    churn.write_text(churn_deck(0), encoding="utf-8")
    for args in (["import", str(shared), str(churn)], ["config", "set", "new-per-day", "999"],
                 ["config", "set", "reviews-per-day", "9999"]):
        done = cli(laptop, *args)
        assert done.returncode == 0, done.stderr
    assert not (tmp_path / "laptop" / "studyaws.sqlite3").exists()

    sync = tmp_path / "sync"
    sync.mkdir()
    workers = {
        "laptop-review": (laptop, "review", "30"),
        "desktop-review": (desktop, "review", "30"),
        "desktop-exam": (desktop, "exam", "10"),
    }
    procs = {name: subprocess.Popen(
        [sys.executable, str(WORKER), name, role, "Shared", number, str(sync)], env=env,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, stdin=subprocess.DEVNULL)
        for name, (env, role, number) in workers.items()}

    imports: list[subprocess.CompletedProcess] = []
    stop = threading.Event()

    def import_loop() -> None:
        round_ = 0
        while not stop.is_set() or round_ < 2:
            round_ += 1
            churn.write_text(churn_deck(round_), encoding="utf-8")
            imports.append(cli(work, "import", str(churn)))
            (sync / f"imported-{round_}").touch()

    importer = threading.Thread(target=import_loop)
    try:
        deadline = time.monotonic() + TIMEOUT_S
        while not all((sync / f"ready-{name}").exists() for name in workers):
            assert time.monotonic() < deadline, "the workers did not open the collection"
            assert all(p.poll() is None for p in procs.values()), \
                {n: p.stderr.read() for n, p in procs.items() if p.poll() is not None}
            time.sleep(0.05)
        (sync / "go").touch()  # all at once
        importer.start()
        outputs = {name: proc.communicate(timeout=TIMEOUT_S) for name, proc in procs.items()}
    finally:
        stop.set()
        for proc in procs.values():
            if proc.poll() is None:
                proc.kill()
        if importer.is_alive():
            importer.join(TIMEOUT_S)
    for name, (_out, err) in outputs.items():
        assert procs[name].returncode == 0, (name, err)
        assert "Traceback" not in err, err
    assert len(imports) >= 2
    for result in imports:
        assert (result.returncode, result.stderr) == (0, ""), result.stderr

    said = {name: [json.loads(line) for line in out.splitlines()]
            for name, (out, _) in outputs.items()}
    with reading(engine) as session:
        logs = list(session.execute(select(ReviewLog).order_by(ReviewLog.id)).scalars())
        states = {s.card_id: s for s in session.execute(select(CardState)).scalars()}
        shared_id = session.execute(select(Deck.id).where(Deck.title == "Shared")).scalar_one()
        shared_cards = set(session.execute(
            select(Card.id).where(Card.deck_id == shared_id, Card.retired.is_(False))).scalars())

    # No answer lost: every answer a reviewer saved is in the log, and nothing else is.
    reviewed = [line["log"] for name in ("laptop-review", "desktop-review")
                for line in said[name]]
    assert len(reviewed) >= 60
    assert sorted(reviewed) == [log.id for log in logs if log.source == "review"]
    # The exam: every question answered (right), its answers logged when it was submitted.
    exam_cards = [line["card"] for line in said["desktop-exam"] if "exam" in line]
    assert len(exam_cards) == 10 and said["desktop-exam"][-1].get("finished")
    assert sorted(log.card_id for log in logs if log.source == "exam") == sorted(exam_cards)

    # No conflicting schedules: each card's answers form one chain, in the order they were
    # written (the later answer scheduled from the earlier one's result), and the card holds
    # the last one's.
    by_card: dict[int, list[ReviewLog]] = {}
    for log in logs:
        by_card.setdefault(log.card_id, []).append(log)
    for card_id, chain in by_card.items():
        assert json.loads(chain[0].prior_state)["memory"]["state"] == NEW
        before = None
        for log in chain:
            prior = Memory.from_dict(json.loads(log.prior_state)["memory"])
            if before is not None:
                assert (prior.state, prior.stability, prior.difficulty, prior.due) == (
                    before.state, before.stability, before.difficulty, before.due), card_id
            before = Memory(log.state, None, log.stability, log.difficulty, log.due)
        state = states[card_id]
        assert (state.state, state.stability, state.difficulty, state.due) == (
            before.state, before.stability, before.difficulty, before.due), card_id
    twice = [card for card, chain in by_card.items()
             if {log.source for log in chain} != {"review"} or len(chain) > 1]
    print(f"{len(logs)} answers, {len(by_card)} cards, {len(twice)} answered more than "
          f"once, {len(imports)} imports")

    # Counts right after a refresh, the same on every machine, and as the store holds them.
    seen = {card for card in by_card if card in shared_cards}
    learning = sum(1 for card in shared_cards if states[card].state in (LEARNING, RELEARNING))
    homes = []
    for env in (laptop, desktop):
        done = cli(env, "decks", "--json")
        assert done.returncode == 0, done.stderr
        homes.append(json.loads(done.stdout))
    assert homes[0] == homes[1]
    deck = next(d for d in homes[0]["decks"] if d["title"] == "Shared")
    assert deck["cards"] == len(shared_cards)
    assert deck["available_new"] == sum(1 for c in shared_cards if states[c].state == NEW)
    assert deck["available_new"] == len(shared_cards) - len(seen)
    assert deck["learning"] == learning
    engine.dispose()

