"""miniprogram: WeChat mini-program account bindings

Revision ID: miniprogram_0001
Revises: office_0001
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base


# revision identifiers, used by Alembic.
revision = 'miniprogram_0001'
down_revision = 'office_0001'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('wechat_binding',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('openid', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('password_fingerprint', sa.String(length=64), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_wechat_binding_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wechat_binding')),
    sa.UniqueConstraint('openid', name=op.f('uq_wechat_binding_openid')),
    sa.UniqueConstraint('user_id', name=op.f('uq_wechat_binding_user_id'))
    )


def downgrade():
    op.drop_table('wechat_binding')
