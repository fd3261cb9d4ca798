"""Exam domains: the exams studyaws has a blueprint for, the domain slugs each one has, and
the `domain:` values a deck or question may write.

A value is one slug (`resilient`: the exam that owns it is implied, slugs being unique across
the exams) or a list naming the exam of each (`saa-c03: resilient, clf-c02: technology`).
Parsed, it is a dict exam -> slug.
"""

from __future__ import annotations

EXAM_DOMAINS: dict[str, dict[str, str]] = {
    "saa-c03": {
        "secure": "Design Secure Architectures",
        "resilient": "Design Resilient Architectures",
        "high-performing": "Design High-Performing Architectures",
        "cost-optimized": "Design Cost-Optimized Architectures",
    },
    "clf-c02": {
        "cloud-concepts": "Cloud Concepts",
        "security-compliance": "Security and Compliance",
        "technology-services": "Cloud Technology and Services",
        "billing-support": "Billing, Pricing, and Support",
    },
}
EXAMS = tuple(EXAM_DOMAINS)

# slug -> display name, over every exam
DOMAINS: dict[str, str] = {slug: title for domains in EXAM_DOMAINS.values()
                           for slug, title in domains.items()}
# slug -> the exam it belongs to
EXAM_OF: dict[str, str] = {slug: exam for exam, domains in EXAM_DOMAINS.items()
                           for slug in domains}
# Short names accepted after an exam's name (`clf-c02: billing`).
ALIASES: dict[str, dict[str, str]] = {
    "saa-c03": {"security": "secure", "performance": "high-performing",
                "high-performance": "high-performing", "cost": "cost-optimized"},
    "clf-c02": {"concepts": "cloud-concepts", "security": "security-compliance",
                "technology": "technology-services", "billing": "billing-support",
                "pricing": "billing-support", "support": "billing-support"},
}


def normalize_domain(value: str) -> str:
    return value.strip().lower().replace(" ", "-").replace("_", "-")


def _known() -> str:
    return "; ".join(f"{exam}: {', '.join(domains)}" for exam, domains in EXAM_DOMAINS.items())


def parse_domains(value: str) -> dict[str, str]:
    """`resilient` or `saa-c03: resilient, clf-c02: technology` -> {exam: slug}. Raises
    ValueError with a message for the user."""
    result: dict[str, str] = {}
    parts = [part for part in value.split(",") if part.strip()]
    if not parts:
        raise ValueError(f"empty domain (known: {_known()})")
    for part in parts:
        exam_text, sep, slug_text = part.partition(":")
        if not sep:
            slug = normalize_domain(part)
            if slug not in EXAM_OF:
                raise ValueError(f"unknown domain {part.strip()!r} (known: {_known()})")
            exam = EXAM_OF[slug]
        else:
            exam = normalize_domain(exam_text)
            if exam not in EXAM_DOMAINS:
                raise ValueError(f"unknown exam {exam_text.strip()!r} in domain "
                                 f"(known: {', '.join(EXAMS)})")
            slug = normalize_domain(slug_text)
            slug = ALIASES[exam].get(slug, slug)
            if slug not in EXAM_DOMAINS[exam]:
                raise ValueError(f"unknown {exam} domain {slug_text.strip()!r} "
                                 f"(known: {', '.join(EXAM_DOMAINS[exam])})")
        if exam in result and result[exam] != slug:
            raise ValueError(f"two {exam} domains: {result[exam]} and {slug}")
        result[exam] = slug
    return result


def format_domains(domains: dict[str, str]) -> str:
    """The written form parse_domains reads back: 'saa-c03: resilient, clf-c02: ...'."""
    return ", ".join(f"{exam}: {domains[exam]}" for exam in EXAMS if domains.get(exam))


def domain_title(slug: str | None) -> str:
    return DOMAINS.get(slug or "", slug or "")


def domains_text(domains: dict[str, str], inferred: bool = False) -> str:
    """'SAA-C03: Design Resilient Architectures · CLF-C02: Cloud Technology and Services',
    with ' (inferred)' when they were inferred from the text; '' when there are none."""
    text = " · ".join(f"{exam.upper()}: {domain_title(domains[exam])}"
                      for exam in EXAMS if domains.get(exam))
    return f"{text} (inferred)" if text and inferred else text
