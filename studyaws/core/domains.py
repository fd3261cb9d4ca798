"""Exam domains: the slugs a deck or question may name, and their display names."""

from __future__ import annotations

DOMAINS: dict[str, str] = {
    # SAA-C03
    "secure": "Design Secure Architectures",
    "resilient": "Design Resilient Architectures",
    "high-performing": "Design High-Performing Architectures",
    "cost-optimized": "Design Cost-Optimized Architectures",
    # CLF-C02
    "cloud-concepts": "Cloud Concepts",
    "security-compliance": "Security and Compliance",
    "technology-services": "Cloud Technology and Services",
    "billing-support": "Billing, Pricing, and Support",
}


def normalize_domain(value: str) -> str:
    return value.strip().lower().replace(" ", "-").replace("_", "-")
