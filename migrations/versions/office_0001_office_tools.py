"""office tools: 督办 counts, 延期 requests, saved inbox filters, equipment fields, report full-text search

Revision ID: office_0001
Revises: auth_0001
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

import storage.models.base

revision = 'office_0001'
down_revision = 'auth_0001'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('urge_count', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_urged_at', storage.models.base.UtcDateTime(timezone=True), nullable=True))
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.alter_column('urge_count', server_default=None)
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.add_column(sa.Column('equipment_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('registration_cert_no', sa.String(length=64), nullable=True))
    op.create_table('task_extension',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('task_id', sa.String(length=36), nullable=False),
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('extension_state', sa.Enum('pending', 'approved', 'refused', name='extensionstate', native_enum=False, length=32), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('old_due_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('requested_due_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.Column('approver_group', sa.String(length=32), nullable=False),
    sa.Column('approver_division_code', sa.String(length=6), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', storage.models.base.UtcDateTime(timezone=True), nullable=True),
    sa.Column('decision_note', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_task_extension_decided_by_id_user')),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_task_extension_report_id_report'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['user.id'], name=op.f('fk_task_extension_requested_by_id_user')),
    sa.ForeignKeyConstraint(['task_id'], ['human_task.id'], name=op.f('fk_task_extension_task_id_human_task'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_task_extension'))
    )
    with op.batch_alter_table('task_extension', schema=None) as batch_op:
        batch_op.create_index('ix_task_extension_pending', ['extension_state', 'approver_division_code'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_extension_report_id'), ['report_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_task_extension_task_id'), ['task_id'], unique=False)
    op.create_table('saved_filter',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('created_at', storage.models.base.UtcDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_saved_filter_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_filter')),
    sa.UniqueConstraint('user_id', 'name', name=op.f('uq_saved_filter_user_id'))
    )
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_filter_user_id'), ['user_id'], unique=False)
    op.create_table('report_search',
    sa.Column('report_id', sa.Integer(), nullable=False),
    sa.Column('search_vector', sa.Text().with_variant(postgresql.TSVECTOR(), 'postgresql'), nullable=True),
    sa.ForeignKeyConstraint(['report_id'], ['report.id'], name=op.f('fk_report_search_report_id_report'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('report_id', name=op.f('pk_report_search'))
    )
    with op.batch_alter_table('report_search', schema=None) as batch_op:
        batch_op.create_index('ix_report_search_vector', ['search_vector'], unique=False, postgresql_using='gin')
    if op.get_bind().dialect.name == 'sqlite':
        # FTS5 with the trigram tokenizer matches Chinese substrings; rowid is the report id.
        op.execute("CREATE VIRTUAL TABLE report_fts USING fts5(title, content, tokenize='trigram')")
        op.execute("INSERT INTO report_fts(rowid, title, content) SELECT id, title, content FROM report")
    else:
        _index_existing_reports()


def _index_existing_reports():
    from storage.fulltext import bigrams

    bind = op.get_bind()
    for report_id, title, content in bind.execute(sa.text("SELECT id, title, content FROM report")).all():
        document = " ".join(dict.fromkeys(bigrams(title) + bigrams(content)))
        bind.execute(sa.text("INSERT INTO report_search (report_id, search_vector) "
                             "VALUES (:id, to_tsvector('simple', :doc))"), {"id": report_id, "doc": document})


def downgrade():
    if op.get_bind().dialect.name == 'sqlite':
        op.execute("DROP TABLE IF EXISTS report_fts")
    with op.batch_alter_table('report_search', schema=None) as batch_op:
        batch_op.drop_index('ix_report_search_vector', postgresql_using='gin')
    op.drop_table('report_search')
    with op.batch_alter_table('saved_filter', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_filter_user_id'))
    op.drop_table('saved_filter')
    with op.batch_alter_table('task_extension', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_task_extension_task_id'))
        batch_op.drop_index(batch_op.f('ix_task_extension_report_id'))
        batch_op.drop_index('ix_task_extension_pending')
    op.drop_table('task_extension')
    with op.batch_alter_table('report', schema=None) as batch_op:
        batch_op.drop_column('registration_cert_no')
        batch_op.drop_column('equipment_code')
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.drop_column('last_urged_at')
        batch_op.drop_column('urge_count')
