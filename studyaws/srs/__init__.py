"""Scheduling: FSRS policy (pure) and the review service that applies it to the store."""
