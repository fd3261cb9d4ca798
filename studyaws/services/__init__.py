"""Services: the use cases (review, exam, import, stats, optimize, backup and exchange) that
put the core and the store together. No terminal UI here: the CLI and the TUI both call them."""
