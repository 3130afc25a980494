"""routing: admin-changeable system settings (监管部门报送员的报送进入层级)

Revision ID: routing_0001
Revises: stats_0001
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base


revision = 'routing_0001'
down_revision = 'records_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('system_setting',
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('fk_system_setting_updated_by_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_system_setting'))
    )


def downgrade():
    op.drop_table('system_setting')
