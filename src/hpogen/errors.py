"""The one error type users can cause; the CLI prints it as one line and exits 2."""


class HpogenError(Exception):
    """A problem with the user's input (flags, files, data), stated in one line."""
