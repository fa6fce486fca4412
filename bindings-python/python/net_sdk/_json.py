"""JSON encoding of events (one place, so every emit path agrees)."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from .errors import SerializationError

_encoder = json.JSONEncoder(separators=(",", ":"), allow_nan=False, ensure_ascii=False)


def dumps(obj: Any) -> str:
    """Compact JSON text for ``obj``; dataclass instances are encoded as
    their fields. ``SerializationError`` (kind ``serialization``) for
    anything JSON cannot represent (sets, NaN, arbitrary objects)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        obj = dataclasses.asdict(obj)
    try:
        return _encoder.encode(obj)
    except (TypeError, ValueError) as e:
        raise SerializationError(f"event is not JSON-serializable: {e}", "serialization") from e
