"""Our BPMN dialect: Camunda 7 attributes read by subclasses of SpiffWorkflow's Camunda parser.

Extensions are made by copying the library's override map, never by mutating it in place.
"""
from __future__ import annotations

from SpiffWorkflow.bpmn.parser.BpmnParser import full_tag
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import BasePythonScriptEngineEnvironment
from SpiffWorkflow.bpmn.specs.defaults import (
    BoundaryEvent, CallActivity, IntermediateCatchEvent, ServiceTask, StartEvent,
)
from SpiffWorkflow.camunda.parser.CamundaParser import CamundaParser
from SpiffWorkflow.camunda.parser.task_spec import CamundaTaskParser, UserTaskParser
from SpiffWorkflow.camunda.specs.user_task import EnumFormField, Form, FormField, UserTask

from .event_subprocess import EventSubprocessParser
from .expressions import ExpressionEnvironment
from .timer_events import DialectBoundaryEventParser, DialectCatchEventParser, DialectStartEventParser

CAMUNDA_NS = "http://camunda.org/schema/1.0/bpmn"
USER_TASK_ATTRIBUTES = ("candidateGroups", "candidateUsers", "assignee", "dueDate", "followUpDate", "priority")
KNOWN_FIELD_TYPES = frozenset({"string", "long", "boolean", "date", "enum"})


def _camunda_attributes(parser, names) -> dict[str, str]:
    found = {}
    for name in names:
        value = parser.attribute(name, "camunda")
        if value is not None:
            found[name] = value
    return found


class DialectUserTaskParser(UserTaskParser):
    """Reads candidateGroups, dueDate, priority and the generated form (no formKey needed)."""

    def parse_extensions(self, node=None):
        extensions = super().parse_extensions(node)
        extensions.update(_camunda_attributes(self, USER_TASK_ATTRIBUTES))
        return extensions

    def get_form(self):
        form = Form()
        form.key = self.attribute("formKey", "camunda") or ""
        for xml_field in self.xpath(".//camunda:formData/camunda:formField"):
            field = EnumFormField() if xml_field.get("type") == "enum" else FormField()
            if field.type == "enum":
                for option in xml_field.findall(f"{{{CAMUNDA_NS}}}value"):
                    field.add_option(option.get("id"), option.get("name"))
            field.id = xml_field.get("id")
            field.type = xml_field.get("type") or "string"
            field.label = xml_field.get("label") or field.id
            field.default_value = xml_field.get("defaultValue")
            for prop in xml_field.iterfind(f"{{{CAMUNDA_NS}}}properties/{{{CAMUNDA_NS}}}property"):
                field.add_property(prop.get("id"), prop.get("value"))
            for constraint in xml_field.iterfind(f"{{{CAMUNDA_NS}}}validation/{{{CAMUNDA_NS}}}constraint"):
                field.add_validation(constraint.get("name"), constraint.get("config"))
            form.add_field(field)
        return form


class TopicServiceTask(ServiceTask):
    """A service task whose work is done by the handler registered for its camunda:topic."""

    def __init__(self, wf_spec, bpmn_id, topic, input_parameters=None, **kwargs):
        super().__init__(wf_spec, bpmn_id, **kwargs)
        self.topic = topic
        self.input_parameters = dict(input_parameters or {})

    def _execute(self, task):
        task.workflow.script_engine.call_topic(task, self.topic, self.input_parameters)
        return True


class TopicServiceTaskParser(CamundaTaskParser):
    """Parses ``camunda:type="external" camunda:topic="..."`` and camunda:inputOutput parameters."""

    def create_task(self):
        topic = self.attribute("topic", "camunda")
        if not topic:
            raise ValidationException("服务任务缺少 camunda:topic（外部任务主题）", node=self.node,
                                      file_name=self.filename)
        params = {}
        for param in self.xpath(".//camunda:inputOutput/camunda:inputParameter"):
            params[param.get("name")] = (param.text or "").strip()
        return TopicServiceTask(self.spec, self.bpmn_id, topic=topic, input_parameters=params,
                                **self.bpmn_attributes)


class DialectParser(CamundaParser):
    """CamundaParser plus our service tasks and user-task attributes."""

    OVERRIDE_PARSER_CLASSES = dict(CamundaParser.OVERRIDE_PARSER_CLASSES)
    OVERRIDE_PARSER_CLASSES[full_tag("userTask")] = (DialectUserTaskParser, UserTask)
    OVERRIDE_PARSER_CLASSES[full_tag("serviceTask")] = (TopicServiceTaskParser, TopicServiceTask)
    # timers parsed by engine.timer_values; event sub-processes that end and interrupt as BPMN says
    OVERRIDE_PARSER_CLASSES[full_tag("startEvent")] = (DialectStartEventParser, StartEvent)
    OVERRIDE_PARSER_CLASSES[full_tag("intermediateCatchEvent")] = (DialectCatchEventParser, IntermediateCatchEvent)
    OVERRIDE_PARSER_CLASSES[full_tag("boundaryEvent")] = (DialectBoundaryEventParser, BoundaryEvent)
    OVERRIDE_PARSER_CLASSES[full_tag("subProcess")] = (EventSubprocessParser, CallActivity)


class HandlerFailed(Exception):
    """A service-task handler raised; carries the element id and the original error."""

    def __init__(self, element_id: str, topic: str, error: BaseException, label: str | None = None):
        super().__init__(f"“{label or element_id}”（{topic}）执行失败：{error}")
        self.element_id = element_id
        self.topic = topic
        self.error = error


SCRIPT_REFUSED = "本平台不执行流程图中的脚本（scriptTask、pre/post script）"


class SafeTaskEnvironment(BasePythonScriptEngineEnvironment):
    """Replaces SpiffWorkflow's TaskDataEnvironment (plain eval/exec with builtins).

    The library calls the environment directly, bypassing the engine's `evaluate`: message correlations
    (message.py `calculate_correlations`), ad-hoc completion and conditional paths (bpmn_process_spec.py
    `path_complete`/`check_condition`). Here those go through the same safe evaluator.
    """

    def __init__(self, expressions: ExpressionEnvironment):
        super().__init__({})
        self.expressions = expressions

    def evaluate(self, expression, context, external_context=None):
        return self.expressions.evaluate(expression, context, external_context)

    def execute(self, script, context, external_context=None):
        raise PermissionError(SCRIPT_REFUSED)

    def call_service(self, context, **kwargs):
        raise PermissionError("本平台只通过 camunda:topic 外部任务调用服务")


class SafeScriptEngine(PythonScriptEngine):
    """Evaluates only vetted expressions, runs no scripts, dispatches service tasks to handlers.

    SpiffWorkflow does not serialize the script engine: a fresh one is attached after every load.
    An expression that fails is tagged with the task it was evaluated for (`riskmon_task`), so that a
    failure raised outside a task's own run (a timer computed while its predecessor completes) is still
    recorded on the right element.
    """

    def __init__(self, expressions: ExpressionEnvironment, call_topic=None):
        super().__init__(environment=SafeTaskEnvironment(expressions))
        self.expressions = expressions
        self._call_topic = call_topic

    def evaluate(self, task, expression, external_context=None):
        try:
            return self.expressions.evaluate(expression, task.data, external_context)
        except Exception as exc:
            if getattr(exc, "riskmon_task", None) is None:
                exc.riskmon_task = task
            raise

    def execute(self, task, script, external_context=None):
        raise PermissionError(SCRIPT_REFUSED)

    def call_service(self, task, **kwargs):
        raise PermissionError("本平台只通过 camunda:topic 外部任务调用服务")

    def call_topic(self, task, topic, params):
        if self._call_topic is None:
            raise RuntimeError("没有可用的服务任务处理器上下文")
        self._call_topic(task, topic, params)
