"""JSON answers from orjson are the bytes Flask's standard provider wrote, and fall back to it where orjson
cannot serialise a value."""
from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import math

import pytest
from flask import Flask

from web.json_out import FastJSONProvider


class Kind(str, enum.Enum):
    RISK = "risk_hazard"


@dataclasses.dataclass
class Point:
    x: int
    label: str


VALUES = [
    {"b": 1, "a": "电梯层门", "when": datetime.datetime(2026, 12, 7, 20, 1, 2), "day": datetime.date(2026, 1, 2)},
    {"kind": Kind.RISK, "point": Point(1, "监测点"), "nested": {"z": [], "a": {}}, "none": None, "f": 1.25},
    {1: "one", 2: "two"},
    [1, 2 ** 70, -(2 ** 65)],  # beyond 64 bits: orjson refuses, the standard provider writes it
    {"quote": "\"\\\n\t\u2028<script>", "emoji": "😀"},
]


def _standard(value) -> bytes:
    app = Flask("standard")
    app.json.ensure_ascii = False
    with app.app_context():
        return app.json.response(value).get_data()


@pytest.mark.parametrize("value", VALUES)
def test_same_bytes_as_the_standard_provider(value):
    app = Flask("fast")
    app.json = FastJSONProvider(app)
    with app.app_context():
        assert app.json.response(value).get_data() == _standard(value)


def test_nan_becomes_null_valid_json():
    app = Flask("fast")
    app.json = FastJSONProvider(app)
    with app.app_context():
        body = app.json.response({"x": math.nan}).get_data()
    assert json.loads(body) == {"x": None}


def test_an_api_answer_is_utf8_sorted_and_compact(api):
    res = api.get("/me", "reporter.agency")
    assert res.status_code == 200 and res.mimetype == "application/json"
    body = res.get_data()
    data = json.loads(body)
    assert body == (json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()
