"""Statistics endpoints (CONTRACT.md: GET /stats/summary), scoped to the caller's jurisdiction."""
from __future__ import annotations

from flask import jsonify, request

from services import quality, stats, stats_map
from web import env

from . import api
from .openapi import doc
from .params import RankingQuery, StatsQuery
from .responses import (
    HandlingTimeOut, OfficesOut, PointRanksOut, ReporterRanksOut, StatsDivisionsOut, StatsMapOut, StatsSummaryOut, TrendOut,
)
from .auth import current_user
from .common import int_arg


def _filter() -> stats.StatsFilter:
    return stats.build_filter(env().session, current_user(), request.args.get("from"), request.args.get("to"),
                              request.args.get("division"))


def _echo(f: stats.StatsFilter) -> dict:
    return {"from": f.date_from.isoformat() if f.date_from else None,
            "to": f.date_to.isoformat() if f.date_to else None, "division": f.focus.code}


@api.get("/stats/summary")
@doc("统计汇总", query=StatsQuery, response=StatsSummaryOut)
def stats_summary():
    """Totals per status, tier, kind, domain, equipment category and risk level; on-time and overdue rates."""
    f = _filter()
    return jsonify(stats.summary(env().session, f) | {"filters": _echo(f)})


@api.get("/stats/divisions")
@doc("按区划逐级统计", query=StatsQuery, response=StatsDivisionsOut)
def stats_divisions():
    """Drill-down: the focus division's children (province → cities → counties)."""
    f = _filter()
    return jsonify(stats.drilldown(env().session, f) | {"filters": _echo(f)})


@api.get("/stats/map")
@doc("地图分地区数据", query=StatsQuery, response=StatsMapOut)
def stats_map_figures():
    """The statistics map: which shapes to draw for the focus and each region's figures (by GB/T 2260 code)."""
    f = _filter()
    session = env().session
    return jsonify(stats_map.map_view(session, f, stats.drilldown(session, f)) | {"filters": _echo(f)})


@api.get("/stats/handling-time")
@doc("办理时长分布", query=StatsQuery, response=HandlingTimeOut)
def stats_handling_time():
    """Distribution of submission-to-closure times of closed reports."""
    f = _filter()
    return jsonify(stats.handling_time(env().session, f) | {"filters": _echo(f)})


@api.get("/stats/trend")
@doc("月度趋势", query=StatsQuery, response=TrendOut)
def stats_trend():
    """Reports per month (Beijing time)."""
    f = _filter()
    return jsonify({"items": stats.monthly_trend(env().session, f), "filters": _echo(f)})


@api.get("/stats/offices")
@doc("各单位按时办结率与逾期率", query=StatsQuery, response=OfficesOut)
def stats_offices():
    """On-time and overdue rates per office."""
    f = _filter()
    return jsonify({"items": stats.office_rates(env().session, f), "filters": _echo(f)})


@api.get("/stats/quality/points")
@doc("监测点信息质量排名", query=RankingQuery, response=PointRanksOut)
def stats_quality_points():
    """Monitoring points ranked by information quality in the period."""
    f = _filter()
    limit = min(200, max(1, int_arg("limit") or 50))
    return jsonify({"items": quality.point_rankings(env().session, f, limit), "filters": _echo(f)})


@api.get("/stats/quality/reporters")
@doc("信息报送员信息质量排名", query=RankingQuery, response=ReporterRanksOut)
def stats_quality_reporters():
    """Reporters ranked by information quality (names only for supervisors)."""
    f = _filter()
    limit = min(200, max(1, int_arg("limit") or 50))
    items = quality.reporter_rankings(env().session, f, current_user(), limit)
    return jsonify({"items": items, "filters": _echo(f)})
