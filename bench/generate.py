"""Generated decks for the benchmarks: realistic mixes of every card form."""

from __future__ import annotations

import random


def deck_text(cards: int, seed: int = 0, title: str = "Generated deck") -> str:
    """About `cards` cards: basic, one-line, reverse, cloze, choice, ordering and numeric,
    under headings with notes, like a real deck."""
    rng = random.Random(seed)
    words = ["subnet", "route", "table", "gateway", "replica", "snapshot", "retention", "backup", "endpoint", "policy", "bucket", "volume", "cluster", "instance", "region", "zone", "quorum", "stream", "cache", "queue", "topic"]
    lines = [f"---\ntitle: {title}\ndomain: resilient\n---", f"# {title}"]
    made = 0
    section = 0
    while made < cards:
        section += 1
        lines.append(f"## Topic {section}")
        lines.append(" ".join(rng.choice(words) for _ in range(30)) + ".")
        for n in range(20):
            if made >= cards:
                break
            tag = f"{seed}-{section}-{n}"
            phrase = " ".join(rng.choice(words) for _ in range(8))
            form = n % 7
            if form == 0:
                lines.append(f"Q: What does {phrase} do ({tag})?\nA: It {phrase}.")
                made += 1
            elif form == 1:
                lines.append(f"{phrase} {tag} :: {rng.choice(words)} {rng.choice(words)}")
                made += 1
            elif form == 2:
                lines.append(f"{phrase} {tag} ::: {rng.choice(words)} {tag}")
                made += 2
            elif form == 3:
                lines.append(f"C: The {{{{{phrase}}}}} keeps {{{{{tag}}}}} copies.")
                made += 2
            elif form == 4:
                lines.append(f"Which {phrase} applies ({tag})?\n\n- [x] {phrase} one\n"
                             f"- [ ] {phrase} two\n- [ ] {phrase} three\n- [ ] {phrase} four\n\n"
                             f"> Because {phrase}.")
                made += 1
            elif form == 5:
                lines.append(f"Order: Order {phrase} ({tag}).\n1. first {tag}\n2. second {tag}\n"
                             f"3. third {tag}")
                made += 1
            else:
                lines.append(f"Q: How many {phrase} ({tag})?\nA: = {rng.randint(1, 99)}")
                made += 1
    return "\n\n".join(lines) + "\n"
