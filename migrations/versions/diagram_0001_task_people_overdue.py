"""diagram: task assignee and further candidates, overdue mark, the unit's acknowledgement state

Revision ID: diagram_0001
Revises: miniprogram_0001
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base


revision = 'diagram_0001'
down_revision = 'miniprogram_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('human_task_candidate',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('candidate_group', sa.String(length=32), nullable=True),
    sa.Column('division_code', sa.String(length=6), nullable=True),
    sa.Column('monitoring_point_id', sa.Integer(), nullable=True),
    sa.Column('username', sa.String(length=64), nullable=True),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_human_task_candidate_task_id_human_task'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_human_task_candidate'))
    )
    with op.batch_alter_table('human_task_candidate', schema=None) as batch_op:
        batch_op.create_index('ix_human_task_candidate_group', ['candidate_group', 'division_code'], unique=False)
        batch_op.create_index('ix_human_task_candidate_user', ['username'], unique=False)
        batch_op.create_index(batch_op.f('ix_human_task_candidate_task_id'), ['task_id'], unique=False)
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('overdue_at', storage.models.base.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('director_ack', sa.Enum('pending', 'acknowledged', 'overdue',
                                                              name='directorack', native_enum=False, length=32),
                                      nullable=True))


def downgrade():
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('director_ack')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('overdue_at')
        batch_op.drop_column('assignee')
    with op.batch_alter_table('human_task_candidate', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_human_task_candidate_task_id'))
        batch_op.drop_index('ix_human_task_candidate_user')
        batch_op.drop_index('ix_human_task_candidate_group')
    op.drop_table('human_task_candidate')
