"""process versions, instances, reports and their read models

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base


# revision identifiers, used by Alembic.
revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('process_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_id', sa.String(length=64), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('bpmn_xml', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('state', sa.Enum('draft', 'published', 'retired', name='versionstate', native_enum=False, length=32), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('fk_process_version_approved_by_id_user')),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_process_version_created_by_id_user')),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('fk_process_version_published_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_version')),
    sa.UniqueConstraint('process_id', 'version', name=op.f('uq_process_version_process_id'))
    )
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_version_content_hash'), ['content_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_version_process_id'), ['process_id'], unique=False)
    op.create_table('report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tracking_no', sa.String(length=20), nullable=True),
    sa.Column('kind', sa.Enum('problem', 'risk_hazard', 'suggestion', name='reportkind', native_enum=False, length=32), nullable=False),
    sa.Column('domain', sa.Enum('administrative_supervision', 'safety_management', 'production', 'use', 'maintenance', 'inspection_testing', name='reportdomain', native_enum=False, length=32), nullable=False),
    sa.Column('equipment_type_code', sa.String(length=8), nullable=False),
    sa.Column('equipment_category_code', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('content', sa.Text(), nullable=False),
    sa.Column('reporter_id', sa.Integer(), nullable=False),
    sa.Column('monitoring_point_id', sa.Integer(), nullable=False),
    sa.Column('division_code', sa.String(length=6), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=True),
    sa.Column('city_code', sa.String(length=6), nullable=True),
    sa.Column('is_enterprise', sa.Boolean(), nullable=False),
    sa.Column('entry_tier', sa.Enum('unit', 'county', 'city', 'province', name='tier', native_enum=False, length=32), nullable=True),
    sa.Column('status', sa.Enum('submitted', 'processing', 'rectifying', 'closed', 'terminated', name='reportstatus', native_enum=False, length=32), nullable=False),
    sa.Column('current_tier', sa.Enum('unit', 'county', 'city', 'province', name='tier', native_enum=False, length=32), nullable=True),
    sa.Column('resolved_tier', sa.Enum('unit', 'county', 'city', 'province', name='tier', native_enum=False, length=32), nullable=True),
    sa.Column('risk_level', sa.Enum('major', 'significant', 'general', 'low', name='risklevel', native_enum=False, length=32), nullable=True),
    sa.Column('hazard_grade', sa.Enum('general', 'serious', 'major', name='hazardgrade', native_enum=False, length=32), nullable=True),
    sa.Column('overdue', sa.Boolean(), nullable=False),
    sa.Column('quality_score', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.Text(), nullable=True),
    sa.Column('submitted_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('closed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['division_code'], ['division.code'], name=op.f('fk_report_division_code_division')),
    sa.ForeignKeyConstraint(['equipment_type_code'], ['equipment_type.code'], name=op.f('fk_report_equipment_type_code_equipment_type')),
    sa.ForeignKeyConstraint(['monitoring_point_id'], ['monitoring_point.id'], name=op.f('fk_report_monitoring_point_id_monitoring_point')),
    sa.ForeignKeyConstraint(['reporter_id'], ['user.id'], name=op.f('fk_report_reporter_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report')),
    sa.UniqueConstraint('tracking_no', name=op.f('uq_report_tracking_no'))
    )
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.create_index('ix_report_city_submitted', ['city_code', 'submitted_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_county_code'), ['county_code'], unique=False)
        batch_op.create_index('ix_report_division_submitted', ['division_code', 'submitted_at'], unique=False)
        batch_op.create_index('ix_report_domain', ['domain'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_equipment_category_code'), ['equipment_category_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_monitoring_point_id'), ['monitoring_point_id'], unique=False)
        batch_op.create_index('ix_report_overdue_status', ['overdue', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_reporter_id'), ['reporter_id'], unique=False)
        batch_op.create_index('ix_report_risk_level', ['risk_level'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_submitted_at'), ['submitted_at'], unique=False)
    op.create_table('attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('storage_name', sa.String(length=80), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_attachment_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['user.id'], name=op.f('fk_attachment_uploaded_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attachment'))
    )
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attachment_report_id'), ['report_id'], unique=False)
    op.create_table('decision_table',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('decision_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('dmn_xml', sa.Text(), nullable=False),
    sa.Column('content_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_version.id'], name=op.f('fk_decision_table_process_version_id_process_version'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_table')),
    sa.UniqueConstraint('process_version_id', 'decision_id', name=op.f('uq_decision_table_process_version_id'))
    )
    with op.batch_alter_table('decision_table', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_decision_table_process_version_id'), ['process_version_id'], unique=False)
    op.create_table('notification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('link', sa.String(length=255), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('read_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_notification_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_notification_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification'))
    )
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_notification_user_unread', ['user_id', 'read_at'], unique=False)
    op.create_table('process_instance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('process_version_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('running', 'waiting', 'user_input_required', 'error', 'suspended', 'completed', 'terminated', name='instancestatus', native_enum=False, length=32), nullable=False),
    sa.Column('status_before_suspend', sa.Enum('running', 'waiting', 'user_input_required', 'error', 'suspended', 'completed', 'terminated', name='instancestatus', native_enum=False, length=32), nullable=True),
    sa.Column('workflow_state', sa.LargeBinary(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('next_timer_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('waiting_element', sa.String(length=64), nullable=True),
    sa.Column('error_element', sa.String(length=64), nullable=True),
    sa.Column('error_message', sa.Text(), nullable=True),
    sa.Column('error_traceback', sa.Text(), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['process_version_id'], ['process_version.id'], name=op.f('fk_process_instance_process_version_id_process_version')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_process_instance_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_process_instance')),
    sa.UniqueConstraint('report_id', name=op.f('uq_process_instance_report_id'))
    )
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_process_instance_process_version_id'), ['process_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_process_instance_status'), ['status'], unique=False)
        batch_op.create_index('ix_process_instance_status_timer', ['status', 'next_timer_at'], unique=False)
    op.create_table('report_view',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('viewed_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_view_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_report_view_user_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_view'))
    )
    with op.batch_alter_table('report_view', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_view_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_report_view_user_id'), ['user_id'], unique=False)
    op.create_table('human_task',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('element_id', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('candidate_group', sa.String(length=32), nullable=False),
    sa.Column('division_code', sa.String(length=6), nullable=True),
    sa.Column('monitoring_point_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.Enum('open', 'completed', 'cancelled', name='taskstate', native_enum=False, length=32), nullable=False),
    sa.Column('due_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('priority', sa.Integer(), nullable=False),
    sa.Column('form', sa.JSON(), nullable=False),
    sa.Column('claimed_by_id', sa.Integer(), nullable=True),
    sa.Column('claimed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('completed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['claimed_by_id'], ['user.id'], name=op.f('fk_human_task_claimed_by_id_user')),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user.id'], name=op.f('fk_human_task_completed_by_id_user')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_human_task_instance_id_process_instance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_human_task_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_human_task'))
    )
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.create_index('ix_human_task_group_age', ['state', 'candidate_group', 'created_at'], unique=False)
        batch_op.create_index('ix_human_task_inbox', ['state', 'candidate_group', 'division_code', 'due_at', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_report_id'), ['report_id'], unique=False)
        batch_op.create_index('ix_human_task_unit', ['state', 'candidate_group', 'monitoring_point_id'], unique=False)
    op.create_table('instance_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('instance_id', sa.Integer(), nullable=True),
    sa.Column('report_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('element_id', sa.String(length=64), nullable=True),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['user.id'], name=op.f('fk_instance_event_actor_id_user')),
    sa.ForeignKeyConstraint(['instance_id'], ['process_instance.id'], name=op.f('fk_instance_event_instance_id_process_instance'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_instance_event_report_id_report')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_instance_event'))
    )
    with op.batch_alter_table('instance_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_instance_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_event_instance_id'), ['instance_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_instance_event_kind'), ['kind'], unique=False)
        batch_op.create_index('ix_instance_event_report', ['report_id', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('instance_event', schema=None) as batch_op:
        batch_op.drop_index('ix_instance_event_report')
        batch_op.drop_index(batch_op.f('ix_instance_event_kind'))
        batch_op.drop_index(batch_op.f('ix_instance_event_instance_id'))
        batch_op.drop_index(batch_op.f('ix_instance_event_created_at'))

    op.drop_table('instance_event')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_index('ix_human_task_unit')
        batch_op.drop_index(batch_op.f('ix_human_task_report_id'))
        batch_op.drop_index(batch_op.f('ix_human_task_instance_id'))
        batch_op.drop_index('ix_human_task_inbox')
        batch_op.drop_index('ix_human_task_group_age')

    op.drop_table('human_task')
    with op.batch_alter_table('report_view', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_view_user_id'))
        batch_op.drop_index(batch_op.f('ix_report_view_report_id'))

    op.drop_table('report_view')
    with op.batch_alter_table('process_instance', schema=None) as batch_op:
        batch_op.drop_index('ix_process_instance_status_timer')
        batch_op.drop_index(batch_op.f('ix_process_instance_status'))
        batch_op.drop_index(batch_op.f('ix_process_instance_process_version_id'))

    op.drop_table('process_instance')
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.drop_index('ix_notification_user_unread')
        batch_op.drop_index(batch_op.f('ix_notification_report_id'))

    op.drop_table('notification')
    with op.batch_alter_table('decision_table', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_decision_table_process_version_id'))

    op.drop_table('decision_table')
    with op.batch_alter_table('attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attachment_report_id'))

    op.drop_table('attachment')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_submitted_at'))
        batch_op.drop_index(batch_op.f('ix_report_status'))
        batch_op.drop_index('ix_report_risk_level')
        batch_op.drop_index(batch_op.f('ix_report_reporter_id'))
        batch_op.drop_index('ix_report_overdue_status')
        batch_op.drop_index(batch_op.f('ix_report_monitoring_point_id'))
        batch_op.drop_index(batch_op.f('ix_report_kind'))
        batch_op.drop_index(batch_op.f('ix_report_equipment_category_code'))
        batch_op.drop_index('ix_report_domain')
        batch_op.drop_index('ix_report_division_submitted')
        batch_op.drop_index(batch_op.f('ix_report_county_code'))
        batch_op.drop_index('ix_report_city_submitted')

    op.drop_table('report')
    with op.batch_alter_table('process_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_process_version_process_id'))
        batch_op.drop_index(batch_op.f('ix_process_version_content_hash'))

    op.drop_table('process_version')
