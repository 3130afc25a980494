"""Duplicate / similar report suggestions from character bigrams."""
from __future__ import annotations

import json
from itertools import combinations

from services.similarity import SIMILAR_THRESHOLD, ngrams, rank_similar, text_similarity
from services.reference_data import DATA_DIR

from test_stats_api import sign_in

DOOR_LOCK = "雁塔区某小区3号楼电梯层门门锁回路被维保人员用短接线短接，轿厢在层门未关闭时仍能启动，已责令停用。"
DOOR_LOCK_AGAIN = "雁塔区某小区3号楼的电梯层门门锁回路被维保人员短接线短接，层门未关闭时轿厢仍然能够启动，已责令停梯。"
BOILER = "某热力公司燃煤锅炉水位计玻璃板破损未更换，低水位联锁保护装置被解除，司炉人员无证上岗。"


def test_bigrams_ignore_punctuation_and_spaces():
    assert ngrams("电梯，门锁 回路") == ngrams("电梯门锁回路")
    assert ngrams("电梯门") == frozenset({"电梯", "梯门"})
    assert ngrams("") == frozenset()


def test_near_identical_texts_are_similar_and_unrelated_ones_are_not():
    assert text_similarity(DOOR_LOCK, DOOR_LOCK_AGAIN) >= 0.5
    assert text_similarity(DOOR_LOCK, BOILER) < 0.1
    hits = rank_similar(DOOR_LOCK, [(1, BOILER), (2, DOOR_LOCK_AGAIN), (3, DOOR_LOCK)])
    assert [h[0] for h in hits] == [3, 2]
    assert hits[0][1] == 1.0


def test_the_forty_distinct_samples_are_never_suggested_as_duplicates():
    samples = json.loads((DATA_DIR / "sample_reports.json").read_text(encoding="utf-8"))
    worst = max(text_similarity(a["text"], b["text"]) for a, b in combinations(samples, 2))
    assert worst < SIMILAR_THRESHOLD


def test_similar_endpoint_for_the_expert(api, client):
    first = api.submit(title="层门门锁回路短接", content=DOOR_LOCK)
    second = api.submit(title="层门门锁回路短接", content=DOOR_LOCK_AGAIN)
    other = api.submit(equipment_type_code="1100", title="锅炉水位计破损", content=BOILER)
    res = api.get(f"/reports/{second['id']}/similar", "center")
    assert res.status_code == 200
    items = res.get_json()["items"]
    assert [i["id"] for i in items] == [first["id"]]
    assert items[0]["score"] >= SIMILAR_THRESHOLD and items[0]["tracking_no"] == first["tracking_no"]
    assert api.get(f"/reports/{other['id']}/similar", "center").get_json()["items"] == []
    assert api.get(f"/reports/{second['id']}/similar", "reporter.agency").status_code == 403
    assert api.get(f"/reports/{second['id']}/similar").status_code == 401
    assert api.get("/reports/999999/similar", "center").status_code == 404
    assert api.get(f"/reports/{second['id']}/similar", "county.610112").status_code == 403
    sign_in(client, "center")
    fragment = client.get(f"/cases/similar/{second['id']}").get_data(as_text=True)
    assert first["tracking_no"] in fragment and "相似度" in fragment
