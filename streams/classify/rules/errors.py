"""Errors of the classification rules.

::

    CasebridgeError
    └── ClassificationError   an event's payload cannot be classified (missing id,
                              not JSON, wrong field type); the agent sends the event
                              to the DLQ with this message as the reason

Rules never let a ``KeyError`` or ``TypeError`` escape on bad input: every
payload access goes through :mod:`streams.classify.rules.payload`, which raises
:class:`ClassificationError` naming the field.
"""

from __future__ import annotations

from connectors.errors import CasebridgeError


class ClassificationError(CasebridgeError):
    """An input event cannot be classified; the message says which field is wrong and why."""
