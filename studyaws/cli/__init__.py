"""The `studyaws` command: argument parsing and printing, over the services."""
