"""quality: one information-quality score per handling tier of a report

Revision ID: quality_0001
Revises: diagram_0001
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base


revision = 'quality_0001'
down_revision = 'diagram_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('report_quality_score',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('tier', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Integer(), nullable=False),
    sa.Column('scored_by_id', sa.Integer(), nullable=True),
    sa.Column('scored_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_quality_score_report_id_report'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['scored_by_id'], ['user.id'], name=op.f('fk_report_quality_score_scored_by_id_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_quality_score')),
    sa.UniqueConstraint('report_id', 'tier', name=op.f('uq_report_quality_score_report_id'))
    )
    with op.batch_alter_table('report_quality_score', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_quality_score_report_id'), ['report_id'], unique=False)
    # a report carried one number, the last scorer's: it is kept as the score of the tier the report was
    # last at (where it was resolved, or where it is now), the county when neither is known
    op.execute("INSERT INTO report_quality_score (report_id, tier, score, scored_at) "
               "SELECT id, CASE WHEN COALESCE(resolved_tier, current_tier) IN ('county', 'city', 'province') "
               "THEN COALESCE(resolved_tier, current_tier) ELSE 'county' END, quality_score, "
               "COALESCE(closed_at, submitted_at) FROM report WHERE quality_score IS NOT NULL")

def downgrade():
    with op.batch_alter_table('report_quality_score', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_quality_score_report_id'))
    op.drop_table('report_quality_score')
