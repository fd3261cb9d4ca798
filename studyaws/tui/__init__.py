"""The Textual app. Screens call service functions; they never run SQL."""
