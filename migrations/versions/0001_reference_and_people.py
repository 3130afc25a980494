"""reference data and people

Revision ID: 0001
Revises: 
"""
from alembic import op
import sqlalchemy as sa

import storage.models.base


# revision identifiers, used by Alembic.
revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('division',
    sa.Column('code', sa.String(length=6), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('parent_code', sa.String(length=6), nullable=True),
    sa.Column('supervising_code', sa.String(length=6), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_division'))
    )
    with op.batch_alter_table('division', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_division_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_division_supervising_code'), ['supervising_code'], unique=False)
    op.create_table('equipment_type',
    sa.Column('code', sa.String(length=8), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('parent_code', sa.String(length=8), nullable=True),
    sa.Column('level', sa.String(length=24), nullable=False),
    sa.ForeignKeyConstraint(['parent_code'], ['equipment_type.code'], name=op.f('fk_equipment_type_parent_code_equipment_type')),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_equipment_type'))
    )
    op.create_table('tracking_counter',
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('last_value', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_tracking_counter'))
    )
    op.create_table('monitoring_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.Enum('supervision_agency', 'inspection_institution', 'controlled_user_unit', 'production_filling_unit', name='monitoringpointkind', native_enum=False, length=32), nullable=False),
    sa.Column('division_code', sa.String(length=6), nullable=False),
    sa.Column('control_level', sa.Integer(), nullable=True),
    sa.Column('credit_code', sa.String(length=32), nullable=True),
    sa.Column('address', sa.String(length=255), nullable=True),
    sa.Column('responsible_person', sa.String(length=64), nullable=True),
    sa.Column('responsible_phone', sa.String(length=32), nullable=True),
    sa.Column('responsible_user_id', sa.Integer(), nullable=True),
    sa.Column('supervising_division_code', sa.String(length=6), nullable=True),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['user.id'], name=op.f('fk_monitoring_point_confirmed_by_id_user'), use_alter=True),
    sa.ForeignKeyConstraint(['division_code'], ['division.code'], name=op.f('fk_monitoring_point_division_code_division')),
    sa.ForeignKeyConstraint(['responsible_user_id'], ['user.id'], name=op.f('fk_monitoring_point_responsible_user_id_user'), use_alter=True),
    sa.ForeignKeyConstraint(['supervising_division_code'], ['division.code'], name=op.f('fk_monitoring_point_supervising_division_code_division')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_monitoring_point'))
    )
    with op.batch_alter_table('monitoring_point', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_monitoring_point_division_code'), ['division_code'], unique=False)
    op.create_table('user',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('display_name', sa.String(length=64), nullable=False),
    sa.Column('phone', sa.String(length=32), nullable=True),
    sa.Column('email', sa.String(length=128), nullable=True),
    sa.Column('position', sa.String(length=64), nullable=True),
    sa.Column('is_expert', sa.Boolean(), nullable=False),
    sa.Column('division_code', sa.String(length=6), nullable=False),
    sa.Column('monitoring_point_id', sa.Integer(), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('failed_logins', sa.Integer(), nullable=False),
    sa.Column('locked_until', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('password_changed_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['division_code'], ['division.code'], name=op.f('fk_user_division_code_division')),
    sa.ForeignKeyConstraint(['monitoring_point_id'], ['monitoring_point.id'], name=op.f('fk_user_monitoring_point_id_monitoring_point')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user')),
    sa.UniqueConstraint('username', name=op.f('uq_user_username'))
    )
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_division_code'), ['division_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_monitoring_point_id'), ['monitoring_point_id'], unique=False)
    op.create_table('safety_director_assignment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('monitoring_point_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('assigned_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['monitoring_point_id'], ['monitoring_point.id'], name=op.f('fk_safety_director_assignment_monitoring_point_id_monitoring_point'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_safety_director_assignment_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_safety_director_assignment')),
    sa.UniqueConstraint('monitoring_point_id', 'user_id', name=op.f('uq_safety_director_assignment_monitoring_point_id'))
    )
    with op.batch_alter_table('safety_director_assignment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_safety_director_assignment_monitoring_point_id'), ['monitoring_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_safety_director_assignment_user_id'), ['user_id'], unique=False)
    if op.get_bind().dialect.name != "sqlite":
        # monitoring_point and user refer to each other; Alembic's create_table leaves out use_alter
        # foreign keys, so they are added once both tables exist (SQLite keeps them inline).
        for column in ("confirmed_by_id", "responsible_user_id"):
            op.create_foreign_key(op.f(f"fk_monitoring_point_{column}_user"), "monitoring_point", "user",
                                  [column], ["id"])
    op.create_table('user_role',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('role', sa.Enum('reporter', 'point_manager', 'safety_director', 'county_officer', 'city_officer', 'province_officer', 'center_expert', 'inspection_officer', 'workflow_owner', 'admin', name='role', native_enum=False, length=32), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_user_role_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_role')),
    sa.UniqueConstraint('user_id', 'role', name=op.f('uq_user_role_user_id'))
    )
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_user_role_role'), ['role'], unique=False)
        batch_op.create_index(batch_op.f('ix_user_role_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('user_role', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_role_user_id'))
        batch_op.drop_index(batch_op.f('ix_user_role_role'))

    op.drop_table('user_role')
    with op.batch_alter_table('safety_director_assignment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_safety_director_assignment_user_id'))
        batch_op.drop_index(batch_op.f('ix_safety_director_assignment_monitoring_point_id'))

    op.drop_table('safety_director_assignment')
    if op.get_bind().dialect.name != "sqlite":
        for column in ("confirmed_by_id", "responsible_user_id"):
            op.drop_constraint(op.f(f"fk_monitoring_point_{column}_user"), "monitoring_point", type_="foreignkey")
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_user_monitoring_point_id'))
        batch_op.drop_index(batch_op.f('ix_user_division_code'))

    op.drop_table('user')
    with op.batch_alter_table('monitoring_point', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_monitoring_point_division_code'))

    op.drop_table('monitoring_point')
    op.drop_table('tracking_counter')
    op.drop_table('equipment_type')
    with op.batch_alter_table('division', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_division_supervising_code'))
        batch_op.drop_index(batch_op.f('ix_division_level'))

    op.drop_table('division')
