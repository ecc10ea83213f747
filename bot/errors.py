"""Briefbot's exceptions.

    BriefbotError           anything Briefbot reports to a person as one clear line
     +-- ConfigError        config.yaml or the environment is wrong
     +-- BriefError         a file in briefs/ does not follow the schema
     +-- BuildError         the seeds cannot be turned into briefs
     +-- StoreError         the subscription store cannot be read or written

They are translated at two edges only: the CLI (one line on stderr, exit code 2) and the
Telegram error handler (logged with the traceback, a short apology to the user).
Messages name the file, the field or line, and the fix.
"""


class BriefbotError(Exception):
    """Base class: the message is meant for a person."""


class ConfigError(BriefbotError):
    """config.yaml or an environment variable is invalid."""


class BriefError(BriefbotError):
    """A brief file is missing, unreadable or does not match the schema."""


class BuildError(BriefbotError):
    """The build cannot turn the seeds into briefs."""


class StoreError(BriefbotError):
    """The subscription store failed."""
