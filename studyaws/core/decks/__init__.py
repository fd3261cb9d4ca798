"""Markdown decks -> typed items with source lines. Pure: no database, no Textual."""
