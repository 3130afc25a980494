"""docs: periodic risk-assessment reports with their review state (draft → review → 签发)

Revision ID: docs_0001
Revises: quality_0001
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base


revision = 'docs_0001'
down_revision = 'quality_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('periodic_report',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('label', sa.String(length=16), nullable=False),
    sa.Column('file_stem', sa.String(length=64), nullable=False),
    sa.Column('report_state', sa.Enum('draft', 'returned', 'approved', 'issued', name='periodicreportstate',
                                      native_enum=False, length=32), nullable=False),
    sa.Column('draft_number', sa.Integer(), nullable=False),
    sa.Column('drafted_by_id', sa.Integer(), nullable=True),
    sa.Column('drafted_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('review_comment', sa.Text(), nullable=True),
    sa.Column('issued_by_id', sa.Integer(), nullable=True),
    sa.Column('issued_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['drafted_by_id'], ['user.id'], name=op.f('fk_periodic_report_drafted_by_id_user')),
    sa.ForeignKeyConstraint(['issued_by_id'], ['user.id'], name=op.f('fk_periodic_report_issued_by_id_user')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['user.id'], name=op.f('fk_periodic_report_reviewed_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_periodic_report')),
    sa.UniqueConstraint('kind', 'label', name=op.f('uq_periodic_report_kind'))
    )
    with op.batch_alter_table('periodic_report', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_periodic_report_report_state'), ['report_state'], unique=False)


def downgrade():
    with op.batch_alter_table('periodic_report', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_periodic_report_report_state'))
    op.drop_table('periodic_report')
