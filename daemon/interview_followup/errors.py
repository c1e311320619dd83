"""The one error type a person sees: a message with the fix, never a traceback."""


class UserError(Exception):
    """Something the user can fix; the message says what and how."""
