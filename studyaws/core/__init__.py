"""The core: pure logic. Parsing decks and question banks, the scenario engines, FSRS
scheduling policy, grading, exam assembly and scoring, the stats maths. It takes "now" as an
argument and imports neither the database nor the terminal UI (import-linter keeps it so)."""
