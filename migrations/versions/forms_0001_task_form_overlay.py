"""forms: a task's static form comes from its version's spec; the row keeps only its own part

human_task.form (the whole form, copied into every row) is replaced by human_task.process_version_id (the
version whose spec declares the form; existing rows take their instance's version) and
human_task.form_overlay (this instance's part: previous-round defaults, the notice, and a flag for forms
stored before fields declared `records`). Every version's XML stays in process_version, so the form of
any task, on any version, can be rebuilt (engine/task_forms).

Revision ID: forms_0001
Revises: stats_0001
"""
from alembic import op
import sqlalchemy as sa


revision = 'forms_0001'
down_revision = 'stats_0001'
branch_labels = None
depends_on = None

BATCH = 1000
TASK = sa.table('human_task', sa.column('id', sa.String), sa.column('form', sa.JSON),
                sa.column('form_overlay', sa.JSON), sa.column('process_version_id', sa.Integer),
                sa.column('element_id', sa.String))


def stored_overlay(form) -> dict | None:
    """The per-instance part of a stored form: every field default (a previous round's answer or the
    diagram's own; both show the same), the notice, and whether the form predates `records`."""
    if not isinstance(form, dict):
        return None
    fields = [f for f in form.get('fields') or [] if isinstance(f, dict) and 'id' in f]
    overlay = {}
    defaults = {f['id']: f['default'] for f in fields if f.get('default') not in (None, '')}
    if defaults:
        overlay['defaults'] = defaults
    if form.get('notice'):
        overlay['notice'] = form['notice']
    if any('records' not in f for f in fields):
        overlay['legacy_records'] = True
    return overlay or None


def _pages(bind, *columns):
    """human_task rows in id order, BATCH at a time (the table may be large)."""
    last = ''
    while True:
        rows = bind.execute(sa.select(TASK.c.id, *columns).where(TASK.c.id > last)
                            .order_by(TASK.c.id).limit(BATCH)).all()
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def upgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('process_version_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('form_overlay', sa.JSON(), nullable=True))
    bind = op.get_bind()
    bind.execute(sa.text('UPDATE human_task SET process_version_id = (SELECT process_instance.process_version_id '
                         'FROM process_instance WHERE process_instance.id = human_task.instance_id)'))
    change = TASK.update().where(TASK.c.id == sa.bindparam('task_id')).values(form_overlay=sa.bindparam('overlay'))
    for rows in _pages(bind, TASK.c.form):
        updates = [{'task_id': task_id, 'overlay': stored_overlay(form)} for task_id, form in rows]
        updates = [u for u in updates if u['overlay'] is not None]
        if updates:
            bind.execute(change, updates)
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.alter_column('process_version_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_foreign_key(batch_op.f('fk_human_task_process_version_id_process_version'),
                                    'process_version', ['process_version_id'], ['id'])
        batch_op.drop_column('form')


def _rebuilder(bind):
    """version id → element id → the form as shown, from each version's diagram (parsed once per version)."""
    from engine.specs import SpecError, parse_bundle
    from engine.task_forms import shown_form, spec_form

    bundles = {}

    def rebuild(version_id, element_id, overlay):
        if version_id not in bundles:
            xml = bind.execute(sa.text('SELECT bpmn_xml FROM process_version WHERE id = :v'), {'v': version_id}).scalar()
            dmn = [r[0] for r in bind.execute(sa.text('SELECT dmn_xml FROM decision_table WHERE process_version_id = :v '
                                                      'ORDER BY decision_id'), {'v': version_id})]
            try:
                bundles[version_id] = parse_bundle(xml, decisions=dmn) if xml else None
            except (SpecError, ValueError):
                bundles[version_id] = None
        bundle = bundles[version_id]
        return shown_form(spec_form(bundle, element_id) if bundle else {'fields': []}, overlay)
    return rebuild


def downgrade():
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.add_column(sa.Column('form', sa.JSON(), nullable=True))
    bind = op.get_bind()
    rebuild = _rebuilder(bind)
    change = TASK.update().where(TASK.c.id == sa.bindparam('task_id')).values(form=sa.bindparam('full'))
    for rows in _pages(bind, TASK.c.process_version_id, TASK.c.element_id, TASK.c.form_overlay):
        bind.execute(change, [{'task_id': task_id, 'full': rebuild(version_id, element_id, overlay)}
                              for task_id, version_id, element_id, overlay in rows])
    with op.batch_alter_table('human_task', schema=None) as batch_op:
        batch_op.alter_column('form', existing_type=sa.JSON(), nullable=False)
        batch_op.drop_constraint(batch_op.f('fk_human_task_process_version_id_process_version'), type_='foreignkey')
        batch_op.drop_column('form_overlay')
        batch_op.drop_column('process_version_id')
