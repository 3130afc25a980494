"""records: the report's latest measures and opinion (records=measures/opinion); one quality score per 会签 member

Revision ID: records_0001
Revises: stats_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'records_0001'
down_revision = 'forms_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('measures', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('opinion', sa.Text(), nullable=True))
    with op.batch_alter_table('report_quality_score', schema=None) as batch_op:
        batch_op.add_column(sa.Column('member', sa.String(length=64), server_default='', nullable=False))
        batch_op.drop_constraint('uq_report_quality_score_report_id', type_='unique')
        batch_op.create_unique_constraint(batch_op.f('uq_report_quality_score_report_id'),
                                          ['report_id', 'tier', 'member'])


def downgrade():
    # members' rows fold back into one row per tier: their average, rounded
    op.execute("UPDATE report_quality_score SET score = (SELECT CAST(ROUND(AVG(s.score)) AS INTEGER) "
               "FROM report_quality_score s WHERE s.report_id = report_quality_score.report_id "
               "AND s.tier = report_quality_score.tier)")
    op.execute("DELETE FROM report_quality_score WHERE id NOT IN (SELECT MIN(id) FROM "
               "report_quality_score GROUP BY report_id, tier)")
    with op.batch_alter_table('report_quality_score', schema=None) as batch_op:
        batch_op.drop_constraint('uq_report_quality_score_report_id', type_='unique')
        batch_op.drop_column('member')
        batch_op.create_unique_constraint(batch_op.f('uq_report_quality_score_report_id'), ['report_id', 'tier'])
    # plain ALTER TABLE … DROP COLUMN (SQLite ≥ 3.35): a batch copy of `report` would fail its foreign keys
    op.drop_column('report', 'opinion')
    op.drop_column('report', 'measures')
