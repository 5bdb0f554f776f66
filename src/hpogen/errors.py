"""The errors users see: the CLI prints each as one line and exits with its code."""


class HpogenError(Exception):
    """A problem with the user's input (flags, files, data), stated in one line."""

    exit_code = 2


class RunStopped(HpogenError):
    """A run that cannot succeed (every trial fails the same way, or none succeeded): exit 1."""

    exit_code = 1
