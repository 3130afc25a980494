"""The only package that imports SpiffWorkflow: dialect, safe expressions, serializer, run-and-save."""
from .expressions import ExpressionEnvironment, UnsafeExpression  # noqa: F401
from .persistence import InstanceFrozen, ProcessStore, StepResult  # noqa: F401
from .runtime import Runtime, TaskNotOpen  # noqa: F401
from .timer_events import shift_pending_timers  # noqa: F401
from .specs import SpecBundle, SpecCache, SpecError, parse_bundle  # noqa: F401
from .xml_safety import UnsafeXml, parse_untrusted_xml  # noqa: F401
