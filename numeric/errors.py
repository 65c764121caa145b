"""The input error of :mod:`numeric`: a malformed value, named by its field."""
from __future__ import annotations

__all__ = ["ConfigurationError"]


class ConfigurationError(ValueError):
    """A configuration that is malformed; the message names the field and the value."""
