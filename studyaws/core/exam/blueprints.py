"""Exam presets: length, time, pass mark and domain weights of the real exams."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Blueprint:
    name: str
    title: str
    questions: int
    minutes: int
    pass_mark: int  # on the 100-1000 scale
    weights: dict[str, float]  # domain slug -> share of the questions; empty: any domain
    exam: str | None = None  # the exam whose domains the weights name (core.domains.EXAMS)

    @property
    def label(self) -> str:
        """Its short name as a title shows it: an exam's code (SAA-C03), else a word
        (Quick)."""
        return label(self.name)


PRESETS: dict[str, Blueprint] = {
    "saa-c03": Blueprint(
        "saa-c03", "AWS Certified Solutions Architect - Associate (SAA-C03)", 65, 130, 720,
        {"secure": 0.30, "resilient": 0.26, "high-performing": 0.24, "cost-optimized": 0.20},
        "saa-c03",
    ),
    "clf-c02": Blueprint(
        "clf-c02", "AWS Certified Cloud Practitioner (CLF-C02)", 65, 90, 700,
        {"cloud-concepts": 0.24, "security-compliance": 0.30, "technology-services": 0.34,
         "billing-support": 0.12},
        "clf-c02",
    ),
    "quick": Blueprint("quick", "Quick mixed set", 10, 15, 720, {}),
}


def label(name: str) -> str:
    """A preset's or an exam's short name as shown: `saa-c03` is SAA-C03, `quick` Quick."""
    if name in PRESETS and PRESETS[name].exam is None:
        return name.capitalize()
    return name.upper()


def preset(name: str) -> Blueprint:
    try:
        return PRESETS[name]
    except KeyError:
        raise ValueError(f"unknown exam preset {name!r} (known: {', '.join(PRESETS)})") from None
