"""Migrating running instances between versions: preview says who can move and why not; many at once."""
from __future__ import annotations

from owner_diagrams import (
    deadline_dmn, seed_xml, upload_and_publish, with_county_deadline, with_deadline_table, with_double_check,
)

from services.migration import migrate_instances, preview_migration
from storage.models import InstanceEvent, ProcessInstance

COUNTY = "county.610113"
COUNTY_DATA = {"decision": "escalate", "measures": "现场核查", "risk_level": "general", "quality_score": 4}


def instance_of(env, report_id) -> ProcessInstance:
    return env.session.query(ProcessInstance).filter_by(report_id=report_id).one()


def test_many_at_once_with_reasons_for_those_that_cannot_move(api, app):
    from web import env as make_env

    waiting = [api.submit()["id"] for _ in range(2)]
    closed = api.submit()["id"]
    api.complete(COUNTY, closed, "county_disposal", dict(COUNTY_DATA, decision="resolve"))
    v2 = upload_and_publish(api, with_double_check(seed_xml()))
    at_new_step = api.submit()["id"]
    api.complete(COUNTY, at_new_step, "county_disposal", COUNTY_DATA)
    v3 = upload_and_publish(api, with_county_deadline(seed_xml(), "P10D"))

    with app.app_context():
        env = make_env()
        ids = [instance_of(env, r).id for r in waiting + [closed, at_new_step]]
        env.session.rollback()
        rows = {r.instance_id: r for r in preview_migration(env, v3["id"], instance_ids=ids)}
        assert all(rows[i].possible for i in ids[:2]), [rows[i].reasons for i in ids]
        assert rows[ids[2]].reasons == ["实例已结束，无需迁移"]
        assert any("县级复核" in reason for reason in rows[ids[3]].reasons)
        assert any("重新计时" in note for note in rows[ids[0]].notes)

        results = migrate_instances(env, v3["id"], ids, actor_id=None)
        assert [r.migrated for r in results] == [True, True, False, False]
        for report_id in waiting:
            instance = instance_of(env, report_id)
            assert instance.process_version_id == v3["id"]
            events = env.session.query(InstanceEvent).filter_by(instance_id=instance.id, kind="migrated").all()
            assert len(events) == 1 and "v3" in events[0].message
        assert instance_of(env, at_new_step).process_version_id == v2["id"]

    for report_id in waiting:  # the moved instances keep their open task and run on the new version
        api.complete(COUNTY, report_id, "county_disposal", COUNTY_DATA)
        assert api.task("city.610100", report_id, "city_assessment")


def test_migration_refused_when_the_new_version_needs_data_the_instance_lacks(api, app):
    """The target's county deadline comes from a decision table that waiting instances never ran."""
    from web import env as make_env

    at_county = api.submit()["id"]
    at_city = api.submit()["id"]
    api.complete(COUNTY, at_city, "county_disposal", COUNTY_DATA)
    target = upload_and_publish(api, with_deadline_table(seed_xml()), decisions=(deadline_dmn("P7D"),))
    with app.app_context():
        env = make_env()
        ids = [instance_of(env, at_county).id, instance_of(env, at_city).id]
        env.session.rollback()
        refused, moved = migrate_instances(env, target["id"], ids)
        assert not refused.migrated and "重新计算当前环节失败" in refused.reasons[0]
        assert moved.migrated, moved.reasons
    api.complete(COUNTY, at_county, "county_disposal", COUNTY_DATA)  # still runs on its old version
    assert api.task("city.610100", at_county, "city_assessment")
    api.complete("city.610100", at_city, "city_assessment", {
        "decision": "resolve", "assessment_opinion": "已消除", "risk_level": "low", "quality_score": 4})
    assert api.get(f"/reports/{at_city}", "reporter.agency").get_json()["status"] == "closed"
