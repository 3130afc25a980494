"""JSON answers serialised with orjson (a few times faster than the standard library), byte for byte what Flask's
default provider writes for our answers: keys sorted, UTF-8 text, compact, a closing newline, dates in Flask's
RFC 822 form. Anything orjson refuses (an integer beyond 64 bits, keys of mixed types, an unknown type) falls
back to the standard provider, so no answer changes or fails because of the faster path. Requests are still
parsed by the guarded loader in web.input_guards (depth and value checks), not here."""
from __future__ import annotations

from typing import Any

import orjson
from flask import Response
from flask.json.provider import DefaultJSONProvider

_OPTIONS = (orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME
            | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_PASSTHROUGH_SUBCLASS | orjson.OPT_APPEND_NEWLINE)


class FastJSONProvider(DefaultJSONProvider):
    """Flask's provider with orjson for compact responses."""

    ensure_ascii = False

    def response(self, *args: Any, **kwargs: Any) -> Response:
        if self.compact is False or (self.compact is None and self._app.debug):
            return super().response(*args, **kwargs)
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=_flask_default, option=_OPTIONS)
        except (orjson.JSONEncodeError, TypeError):
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)


def _flask_default(value: Any) -> Any:
    """What Flask's default provider makes of the types orjson is told to pass through (dates, dataclasses, str
    subclasses). One difference remains: a float NaN or infinity is written as null (valid JSON) where the
    standard library wrote the invalid token NaN."""
    if isinstance(value, str):
        return str(value)
    return DefaultJSONProvider.default(value)
