"""studyaws: spaced-repetition study for AWS certification exams, in the terminal."""

__version__ = "0.1.0"
