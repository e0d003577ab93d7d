"""clinicbot: answers patients' questions from a clinic's own articles."""

__version__ = "0.1.0"
