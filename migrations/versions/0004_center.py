"""center: risk topics, typical cases, report comments

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base


# revision identifiers, used by Alembic.
revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('risk_topic',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_risk_topic_created_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_topic'))
    )
    with op.batch_alter_table('risk_topic', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_topic_created_at'), ['created_at'], unique=False)
    op.create_table('report_comment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('fk_report_comment_author_id_user')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_comment_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_comment'))
    )
    with op.batch_alter_table('report_comment', schema=None) as batch_op:
        batch_op.create_index('ix_report_comment_report', ['report_id', 'id'], unique=False)
    op.create_table('risk_topic_member',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('topic_id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('added_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['user.id'], name=op.f('fk_risk_topic_member_added_by_id_user')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_risk_topic_member_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['topic_id'], ['risk_topic.id'], name=op.f('fk_risk_topic_member_topic_id_risk_topic'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_topic_member')),
    sa.UniqueConstraint('report_id', name=op.f('uq_risk_topic_member_report_id'))
    )
    with op.batch_alter_table('risk_topic_member', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_risk_topic_member_topic_id'), ['topic_id'], unique=False)
    op.create_table('typical_case',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('write_up', sa.Text(), nullable=False),
    sa.Column('equipment_type_code', sa.String(length=8), nullable=False),
    sa.Column('equipment_category_code', sa.String(length=8), nullable=False),
    sa.Column('kind', sa.Enum('problem', 'risk_hazard', 'suggestion', name='reportkind', native_enum=False, length=32), nullable=False),
    sa.Column('risk_level', sa.Enum('major', 'significant', 'general', 'low', name='risklevel', native_enum=False, length=32), nullable=True),
    sa.Column('published', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('fk_typical_case_created_by_id_user')),
    sa.ForeignKeyConstraint(['equipment_type_code'], ['equipment_type.code'], name=op.f('fk_typical_case_equipment_type_code_equipment_type')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_typical_case_report_id_report')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_typical_case_updated_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_typical_case')),
    sa.UniqueConstraint('report_id', name=op.f('uq_typical_case_report_id'))
    )
    with op.batch_alter_table('typical_case', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_typical_case_equipment_category_code'), ['equipment_category_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_equipment_type_code'), ['equipment_type_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_typical_case_published'), ['published'], unique=False)


def downgrade():
    with op.batch_alter_table('typical_case', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_typical_case_published'))
        batch_op.drop_index(batch_op.f('ix_typical_case_kind'))
        batch_op.drop_index(batch_op.f('ix_typical_case_equipment_type_code'))
        batch_op.drop_index(batch_op.f('ix_typical_case_equipment_category_code'))

    op.drop_table('typical_case')
    with op.batch_alter_table('risk_topic_member', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_topic_member_topic_id'))

    op.drop_table('risk_topic_member')
    with op.batch_alter_table('report_comment', schema=None) as batch_op:
        batch_op.drop_index('ix_report_comment_report')

    op.drop_table('report_comment')
    with op.batch_alter_table('risk_topic', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_risk_topic_created_at'))

    op.drop_table('risk_topic')
