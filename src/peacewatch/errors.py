"""Errors of peacewatch: one root, one subclass per pipeline stage.

Every message says what was expected, what was found and where to fix it (a file and line, a column,
a flag). The CLI prints the message of a :class:`PeacewatchError` as one sentence and exits 1; any
other exception is a bug in peacewatch and exits 2.
"""

from __future__ import annotations


class PeacewatchError(Exception):
    """The root of every error a user can cause and fix."""

    def __init__(self, message: str, *, hint: str | None = None):
        self.message = message
        self.hint = hint
        super().__init__(message if hint is None else f"{message} {hint}")


class SourceError(PeacewatchError):
    """A source file could not be recognised or read as a whole."""


class UnknownFormatError(SourceError):
    """No reader recognised a file; the message lists the formats tried and the header found."""


class MappingError(SourceError):
    """A user mapping file (YAML) is invalid; the message names the file and line."""


class TaxonomyError(PeacewatchError):
    """An actor taxonomy file is invalid, or an actor key does not exist."""


class StoreError(PeacewatchError):
    """The event store cannot be opened or written as asked."""


class IngestError(StoreError):
    """An ingest was refused or failed; the store is left as it was before."""


class SyncError(PeacewatchError):
    """A sync with a live service (ACLED, UCDP, GDELT) failed or was refused; the store is left at its
    last snapshot. Messages never hold a secret (sync/http.py redacts them)."""


class CredentialsError(SyncError):
    """No credentials, or unusable ones, for a live service: the message says where to set them."""


class IndicatorError(PeacewatchError):
    """An indicator was asked for in a way the data cannot answer (see MissingFieldError)."""


class MissingFieldError(IndicatorError):
    """A filter or measure needs a field that the selected datasets do not supply.

    Later layers catch this to answer ``insufficient_data`` instead of an empty result.
    """

    def __init__(
        self,
        message: str,
        *,
        fields: tuple[str, ...],
        datasets: tuple[str, ...],
        filters: tuple[str, ...] = (),
        hint=None,
    ):
        self.fields = fields  # every field missing, over all the filters below
        self.datasets = datasets
        self.filters = filters  # the filters (Filters attribute names) that need them
        super().__init__(message, hint=hint)


class AmbiguousDatasetsError(IndicatorError):
    """More than one dataset covers the same country and dates: summing them would double count."""

    def __init__(self, message: str, *, datasets: tuple[str, ...], hint=None):
        self.datasets = datasets
        super().__init__(message, hint=hint)


class PlaceError(IndicatorError):
    """A place filter names no place of the store, or several; never answered with zeros."""

    def __init__(self, message: str, *, candidates: tuple[str, ...] = (), hint=None):
        self.candidates = candidates
        super().__init__(message, hint=hint)


class UnmatchedActorError(IndicatorError):
    """An actor filter names a key that no event of the selected datasets carries on any date, so a
    count of zero would say nothing: the data may write the actor under a name the taxonomy does not
    resolve (ACLED's "Military Forces of Yemen (2016-) Supreme Political Council" for the Houthis).
    Never answered with zeros; later layers answer ``insufficient_data``."""

    def __init__(self, message: str, *, actors: tuple[str, ...], datasets: tuple[str, ...], hint=None):
        self.actors = actors  # the keys or groups (KEY+KEY) no event names
        self.datasets = datasets
        super().__init__(message, hint=hint)


class CoverageError(IndicatorError):
    """The period asked about lies (partly) outside the dates the selected datasets cover, so
    missing days would be read as days without violence. Later layers answer ``insufficient_data``."""

    def __init__(self, message: str, *, datasets: tuple[str, ...], hint=None, missing: tuple = ()):
        self.datasets = datasets
        self.missing = missing  # the spans of days not covered, when known
        super().__init__(message, hint=hint)


class CaseError(PeacewatchError):
    """A case folder (agreement.yaml, chronology.yaml, ...) is missing or invalid; the message lists
    every problem with its file:line."""


class BriefError(PeacewatchError):
    """A brief or one of its figures cannot be made as asked (bad block, missing boundaries, ...)."""


class StatisticsError(PeacewatchError):
    """A statistical method cannot be applied to the data it was given (too few days, all zeros, ...)."""


class ArgumentError(PeacewatchError):
    """A Python API call was given an argument it cannot use; the message names the argument, what was
    expected and what was given, and is raised at the call (``peacewatch.api``)."""


class WatchError(PeacewatchError):
    """`peacewatch watch` cannot run as asked (an --every it cannot read, a state file it cannot use);
    the message names the flag or the file."""
