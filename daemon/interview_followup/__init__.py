"""interview-followup: drafts thank-you notes and follow-up reminders after job interviews."""

__version__ = "0.1.0"
"""Kept equal to pyproject.toml's version by a test: reading package metadata costs a tenth of a second at start-up."""
