"""interview-followup: drafts thank-you notes and follow-up reminders after job interviews."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("interview-followup")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+source"
