"""The `riskmon` command line: database, demo data, deployments, scheduler, instances."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import Flask
from flask.cli import FlaskGroup, with_appcontext

from services import processes
from services.context import Env


def _env() -> Env:
    from . import env
    return env()


def init_database() -> None:
    """Create or upgrade the schema with the migrations, then load reference data and the diagram."""
    from flask_migrate import upgrade

    from services.reference_data import load_reference_data

    upgrade()
    e = _env()
    load_reference_data(e.session, e.settings.xixian_reporting_line)
    e.session.commit()
    default = Path(e.settings.process_dir) / "risk_disposal.bpmn"
    xml = default.read_text(encoding="utf-8")
    processes.deploy(e, xml, note="随系统部署的初始流程", decisions=processes.tables_beside(xml, default.parent))


@click.command("init-db")
@with_appcontext
def init_db_command():
    """建立/升级数据库结构，载入行政区划、设备目录与默认流程。"""
    init_database()
    click.echo("数据库已就绪")


@click.command("seed-demo")
@click.option("--no-reports", is_flag=True, help="只建账户与监测点，不生成演示报送")
@with_appcontext
def seed_demo_command(no_reports):
    """载入演示账户、监测点与演示报送（仅在空库时）。"""
    from services.demo import seed_demo as seed

    init_database()
    created = seed(_env(), with_reports=not no_reports)
    click.echo("演示数据已载入" if created else "演示数据已存在，未重复载入")


@click.command("deploy")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def deploy_command(files):
    """校验并发布一个流程图文件（可附 .dmn 决策表；未给出时自动使用同目录下被引用的 .dmn），新报送将使用该版本。"""
    from services.errors import ServiceError

    diagrams = [f for f in files if f.lower().endswith(".bpmn")]
    tables = [Path(f).read_text(encoding="utf-8") for f in files if f.lower().endswith(".dmn")]
    others = [f for f in files if not f.lower().endswith((".bpmn", ".dmn"))]
    if len(diagrams) != 1 or others:
        raise click.ClickException("请给出一个 .bpmn 流程图文件，以及零个或多个 .dmn 决策表文件")
    xml = Path(diagrams[0]).read_bytes()
    if not tables:
        tables = processes.tables_beside(xml, Path(diagrams[0]).parent)
    try:
        done = processes.deploy_checked(_env(), xml, note=f"命令行部署 {' '.join(files)}", decisions=tables)
    except ServiceError as exc:
        for d in exc.details or []:
            click.echo(f"  [{d.get('element_id') or '-'}] {d.get('message')}", err=True)
            if d.get("path"):
                click.echo(f"      路径：{' → '.join(d['path'])}", err=True)
        raise click.ClickException(exc.message) from None
    for w in done.warnings:
        click.echo(f"  提醒：{w['message']}", err=True)
    tried = f"（试运行 {done.paths} 条路径）" if done.paths else ""
    tables_note = f"，决策表 {len(tables)} 个" if tables else ""
    click.echo(f"已发布 {done.version.process_id} 第 {done.version.version} 版{tried}{tables_note}")


@click.command("instances")
@click.option("--status", default=None, help="按状态筛选，如 error / suspended / waiting")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def instances_command(status, limit):
    """列出流程实例（运维排查用）。"""
    from sqlalchemy import select

    from storage.models import ProcessInstance

    stmt = select(ProcessInstance).order_by(ProcessInstance.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(ProcessInstance.status == status)
    for inst in _env().session.scalars(stmt):
        click.echo(f"{inst.id:>6}  报送#{inst.report_id:<6} {inst.status.value:<20} "
                   f"{inst.waiting_element or '-':<24} {inst.error_message or ''}")


@click.command("retry")
@click.argument("instance_id", type=int)
@with_appcontext
def retry_command(instance_id):
    """重试出错的流程实例（重新执行失败的服务任务）。"""
    from services.admin_actions import retry_instance
    from services.errors import ServiceError

    try:
        inst = retry_instance(_env(), None, instance_id, reason="命令行重试")
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"实例 {inst.id} 当前状态：{inst.status.value} {inst.error_message or ''}")


@click.command("scheduler")
@with_appcontext
def scheduler_command():
    """运行定时任务进程（定时器、通知、统计汇总、卡滞检测）。一个即可，多运行一个也不会重复执行。"""
    from flask import current_app

    from .scheduling import run_scheduler_forever

    run_scheduler_forever(current_app._get_current_object())


@click.command("stats-rebuild")
@with_appcontext
def stats_rebuild_command():
    """重新汇总全部报送的统计数据（首次运行定时任务时自动进行；用 SQL 直接修改报送数据后运行）。"""
    from services.errors import ServiceError
    from services.stats_rollup import rebuild_statistics

    try:
        counted = rebuild_statistics(_env().session)
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"已汇总 {counted} 条报送")


@click.command("calendar-recompute")
@with_appcontext
def calendar_recompute_command():
    """立即顺延工作日历调整所影响的全部办理期限（平时由定时任务分批进行）。"""
    from services.calendar import drain_deadline_recompute

    moved = drain_deadline_recompute(_env())
    click.echo(f"已顺延 {moved} 个办理期限")


def register_commands(app: Flask) -> None:
    """Attach commands to the app's CLI group."""
    for command in (init_db_command, seed_demo_command, deploy_command, instances_command, retry_command,
                    scheduler_command, report_command, stats_rebuild_command, calendar_recompute_command):
        app.cli.add_command(command)


@click.command("report")
@click.argument("kind", type=click.Choice(["monthly", "quarterly", "annual"]))
@click.argument("period")
@click.option("--out", type=click.Path(file_okay=False), default=None,
              help="只把文件写入该目录（不进入审核签发流程）；默认生成草稿到 instance/reports/，待专家审核、省局签发")
@with_appcontext
def report_command(kind, period, out):
    """生成定期风险评估报告草稿（Word 与 Excel），如：riskmon report monthly 2026-11；经审核签发后发布。"""
    from services.errors import ServiceError
    from services.periodic_reports import generate
    from services.report_review import draft_report

    try:
        paths = generate(_env(), kind, period, Path(out)) if out else draft_report(_env(), None, kind, period)[1]
    except ServiceError as exc:
        raise click.ClickException(exc.message) from None
    for path in paths:
        click.echo(f"已生成 {path}")


def main() -> None:
    """Entry point of the `riskmon` console script."""
    from . import create_app

    cli = FlaskGroup(create_app=lambda: create_app(), add_default_commands=True,
                     help="陕西省特种设备风险监测平台 命令行")
    sys.exit(cli.main(prog_name="riskmon"))
