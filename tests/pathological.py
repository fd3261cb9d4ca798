"""Small files that make many cards or much text (the inputs of tests/test_import_size.py
and of bench/import_size_bench.py), and a run of the real `studyaws import` that measures
its peak memory and the database it leaves."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

# Runs the command given in argv[2:] with its address space limited to argv[1] bytes and
# prints its exit code, output and peak resident memory (KiB) as JSON.
_MEASURE = """
import json, resource, subprocess, sys
limit = int(sys.argv[1])
def cap():
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
proc = subprocess.run(sys.argv[2:], preexec_fn=cap, capture_output=True, text=True)
print(json.dumps({"rc": proc.returncode, "out": proc.stdout, "err": proc.stderr,
                  "peak_kib": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss}))
"""


@dataclass
class Measured:
    rc: int
    out: str
    err: str
    peak_mb: float  # the import process's peak resident memory
    db_bytes: int  # the collection file and its WAL after the import


def measured_import(home: Path, *paths: Path, limit_mb: int = 2000,
                    timeout: float = 600) -> Measured:
    """`studyaws --home HOME import PATHS` in a fresh process whose address space is capped
    at `limit_mb` (an import that needs more fails with a MemoryError instead of taking the
    machine's memory)."""
    command = [sys.executable, "-m", "studyaws", "--home", str(home), "import",
               *map(str, paths)]
    done = subprocess.run([sys.executable, "-c", _MEASURE, str(limit_mb * 2**20), *command],
                          capture_output=True, text=True, timeout=timeout, check=True)
    result = json.loads(done.stdout)
    size = sum(p.stat().st_size for p in home.glob("studyaws.sqlite3*") if p.is_file()) \
        if home.exists() else 0
    return Measured(result["rc"], result["out"], result["err"], result["peak_kib"] / 1024, size)


def cloze_line(deletions: int) -> str:
    """A deck of one cloze card line with `deletions` unnumbered deletions, each its own
    card (3,000 deletions: a 29 KB line)."""
    body = " ".join(f"{{{{w{n}}}}}" for n in range(deletions))
    return f"# Cloze\n\nC: {body}\n"


def anki_cloze_csv(deletions: int, back_chars: int) -> str:
    """An Anki text export of one Cloze note with `deletions` numbered deletions and a Back
    Extra field of `back_chars` characters (3,000 and 41,000: an 82 KB file)."""
    text = " ".join(f"{{{{c{n + 1}::w{n}}}}}" for n in range(deletions))
    back = ("extra " * (back_chars // 6 + 1))[:back_chars]
    return f"#separator:tab\n#html:false\n#notetype column:1\nCloze\t{text}\t{back}\n"


def cloze_notes(notes: int, deletions: int, words: int) -> str:
    """A deck of `notes` cloze cards, each a paragraph of `words` words holding `deletions`
    deletions (within every cap: the size comes from each card holding the paragraph)."""
    parts = ["# Cloze notes"]
    for n in range(notes):
        step = max(1, words // deletions)
        tokens = [f"{{{{d{n}x{k}}}}}" if k % step == 0 and k // step < deletions
                  else f"word{n}x{k}" for k in range(words)]
        parts.append("C: " + " ".join(tokens))
    return "\n\n".join(parts) + "\n"


def long_section_notes(cards: int, notes_chars: int) -> str:
    """A deck whose one section has `notes_chars` characters of notes and `cards` one-line
    cards (each card shows its section's notes)."""
    sentence = "Automated backups keep the transaction logs for the retention period. "
    notes = (sentence * (notes_chars // len(sentence) + 1))[:notes_chars]
    lines = [f"Fact {n} about backups :: answer {n}" for n in range(cards)]
    return "# Backups\n\n" + notes + "\n\n" + "\n".join(lines) + "\n"


def gift_many_options(options: int) -> str:
    """A GIFT question with `options` options, one right."""
    wrong = " ".join(f"~option {n}" for n in range(1, options))
    return f"Which option is right? {{=option 0 {wrong}}}\n"


def one_line_cards(cards: int) -> str:
    """`cards` one-line cards of a few bytes each."""
    return "# Many\n\n" + "\n".join(f"f{n} :: b" for n in range(cards)) + "\n"


def long_heading(cards: int, heading_chars: int) -> str:
    """`cards` short cards under one heading of `heading_chars` characters: every card's
    topic is that heading."""
    heading = ("Topic " * (heading_chars // 6 + 1))[:heading_chars]
    return f"# {heading}\n\n" + "\n".join(f"f{n} :: b" for n in range(cards)) + "\n"


_WORDS = ("subnet", "route", "table", "gateway", "replica", "snapshot", "retention", "backup",
          "endpoint", "policy", "bucket", "volume", "cluster", "instance", "region", "zone",
          "quorum", "stream", "cache", "queue", "topic", "listener", "certificate", "role")


def edited_deck(cards: int, topics: int = 1, edited: bool = False) -> str:
    """`cards` basic cards under `topics` headings; with `edited`, every prompt has a small
    edit (a word added), the answers unchanged: each card should keep its identity."""
    import random

    rng = random.Random(cards)
    per_topic = -(-cards // topics)
    parts = ["# Edited deck"]
    for n in range(cards):
        if n % per_topic == 0:
            parts.append(f"## Topic {n // per_topic + 1}")
        a, b, c, d = (rng.choice(_WORDS) for _ in range(4))
        detail = "the default " if edited else ""
        parts.append(f"Q: Which {a} {b} setting controls {detail}{c} of {d} number {n}?\n"
                     f"A: The {c} {d} setting {n}.")
    return "\n\n".join(parts) + "\n"
