"""stats: change marks on report and task_extension, statistics roll-up tables

Revision ID: stats_0001
Revises: docs_0001
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base


revision = 'stats_0001'
down_revision = 'docs_0001'
branch_labels = None
depends_on = None

TRACKED = ('report', 'task_extension')


def upgrade():
    for table in TRACKED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('change_seq', sa.BigInteger(), server_default='0', nullable=False))
            batch_op.create_index(batch_op.f(f'ix_{table}_change_seq'), ['change_seq'], unique=False)
    op.create_table('stats_rollup',
    sa.Column('grain', sa.String(length=1), nullable=False),
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('city_code', sa.String(length=6), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('dimension', sa.String(length=12), nullable=False),
    sa.Column('value', sa.String(length=32), nullable=False),
    sa.Column('n', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('grain', 'period', 'city_code', 'county_code', 'dimension', 'value',
                            name=op.f('pk_stats_rollup'))
    )
    op.create_table('stats_report_state',
    sa.Column('report_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('city_code', sa.String(length=6), nullable=False),
    sa.Column('county_code', sa.String(length=6), nullable=False),
    sa.Column('status', sa.String(length=32), nullable=False),
    sa.Column('tier', sa.String(length=32), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('domain', sa.String(length=32), nullable=False),
    sa.Column('category', sa.String(length=8), nullable=False),
    sa.Column('risk_level', sa.String(length=32), nullable=False),
    sa.Column('overdue', sa.String(length=1), nullable=False),
    sa.Column('extensions', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_stats_report_state'))
    )
    op.create_table('stats_watermark',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('report_seq', sa.BigInteger(), nullable=False),
    sa.Column('extension_seq', sa.BigInteger(), nullable=False),
    sa.Column('folded_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stats_watermark'))
    )


def downgrade():
    op.drop_table('stats_watermark')
    op.drop_table('stats_report_state')
    op.drop_table('stats_rollup')
    for table in reversed(TRACKED):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_index(batch_op.f(f'ix_{table}_change_seq'))
            batch_op.drop_column('change_seq')
