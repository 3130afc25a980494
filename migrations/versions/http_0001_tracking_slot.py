"""http: free pool of tracking numbers (tracking_slot) so that concurrent submissions do not queue on one row

Revision ID: http_0001
Revises: stats_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'http_0001'
down_revision = 'routing_0001'
branch_labels = None
depends_on = None


def upgrade():
    # Existing counters keep their meaning: last_value is the highest number handed out so far, and the pool
    # starts empty, so the first submission refills it from last_value + 1 on.
    op.create_table('tracking_slot',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('number', sa.Integer(), autoincrement=False, nullable=False),
    sa.PrimaryKeyConstraint('year', 'number', name=op.f('pk_tracking_slot'))
    )


def downgrade():
    # Numbers still in the pool above the highest one taken are given back to the counter, so that numbering
    # continues without a gap on the single-counter code.
    bind = op.get_bind()
    if bind.dialect.name == 'postgresql':
        op.execute("UPDATE tracking_counter c SET last_value = coalesce(("
                   " SELECT max(r.n) FROM (SELECT cast(split_part(tracking_no, '-', 3) AS integer) AS n FROM report"
                   "  WHERE tracking_no LIKE 'SX-' || c.year || '-%') r), 0)")
    op.drop_table('tracking_slot')
