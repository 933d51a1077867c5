"""Exceptions of the harvest layer: one root per concern, named for what happened."""


class SheafError(Exception):
    """Root of every error Sheaf reports to a user as a one-line message."""


class ConfigError(SheafError):
    """The home directory or sheaf.toml is missing or wrong."""


class StoreError(SheafError):
    """The record store cannot be opened or written."""


class HarvestError(SheafError):
    """A source could not be read at all (as opposed to one bad record in it)."""


class SourceUnreadable(HarvestError):
    """A file named by a source or an import cannot be opened."""


class MarcError(HarvestError):
    """One MARC record is broken; the reader reports it and moves on."""
