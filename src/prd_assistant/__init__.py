"""PRD Assistant: draft, review and export product requirements documents."""

__version__ = "0.1.0"
