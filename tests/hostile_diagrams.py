"""Small diagrams that put an expression where SpiffWorkflow evaluates it outside gateways and timers.

They are parsed with `parse_bundle` (no validation), as if the validator had missed them: the engine's
evaluator alone must stop them.
"""
from __future__ import annotations

HEAD = ('<?xml version="1.0" encoding="UTF-8"?>\n<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/'
        '20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="defs" '
        'targetNamespace="http://example.org">')


def diagram(body: str, definitions: str = "", last: str = "work") -> str:
    """A process start → `body` (whose element `work` comes first) → end; `last` flows to the end."""
    return f'''{HEAD}{definitions}
  <bpmn:process id="hostile" isExecutable="true">
    <bpmn:startEvent id="start"><bpmn:outgoing>f1</bpmn:outgoing></bpmn:startEvent>
    <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="work" />
    {body}
    <bpmn:sequenceFlow id="f2" sourceRef="{last}" targetRef="end" />
    <bpmn:endEvent id="end"><bpmn:incoming>f2</bpmn:incoming></bpmn:endEvent>
  </bpmn:process>
</bpmn:definitions>'''


def message_correlation(expression: str) -> str:
    """A message thrown on one branch and caught on the other; the catch computes the correlation."""
    body = '''<bpmn:parallelGateway id="work"><bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>fa</bpmn:outgoing>
      <bpmn:outgoing>fb</bpmn:outgoing></bpmn:parallelGateway>
    <bpmn:sequenceFlow id="fa" sourceRef="work" targetRef="catch" />
    <bpmn:sequenceFlow id="fb" sourceRef="work" targetRef="first" />
    <bpmn:intermediateCatchEvent id="catch" name="收消息"><bpmn:incoming>fa</bpmn:incoming>
      <bpmn:outgoing>fc</bpmn:outgoing><bpmn:messageEventDefinition messageRef="msg" /></bpmn:intermediateCatchEvent>
    <bpmn:serviceTask id="first" name="先做" camunda:type="external" camunda:topic="noop">
      <bpmn:incoming>fb</bpmn:incoming><bpmn:outgoing>fd</bpmn:outgoing></bpmn:serviceTask>
    <bpmn:sequenceFlow id="fd" sourceRef="first" targetRef="throw" />
    <bpmn:intermediateThrowEvent id="throw" name="发消息"><bpmn:incoming>fd</bpmn:incoming>
      <bpmn:outgoing>fe</bpmn:outgoing>
      <bpmn:messageEventDefinition messageRef="msg" camunda:expression="report_id" /></bpmn:intermediateThrowEvent>
    <bpmn:sequenceFlow id="fc" sourceRef="catch" targetRef="join" />
    <bpmn:sequenceFlow id="fe" sourceRef="throw" targetRef="join" />
    <bpmn:parallelGateway id="join"><bpmn:incoming>fc</bpmn:incoming><bpmn:incoming>fe</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing></bpmn:parallelGateway>'''
    definitions = f'''
  <bpmn:message id="msg" name="msg" />
  <bpmn:collaboration id="collab"><bpmn:participant id="p" processRef="hostile" />
    <bpmn:correlationKey name="key"><bpmn:correlationPropertyRef>cp</bpmn:correlationPropertyRef>
    </bpmn:correlationKey></bpmn:collaboration>
  <bpmn:correlationProperty id="cp" name="cp"><bpmn:correlationPropertyRetrievalExpression messageRef="msg">
    <bpmn:messagePath>{escape(expression)}</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression>
  </bpmn:correlationProperty>'''
    return diagram(body, definitions, last="join")


def adhoc_completion(expression: str) -> str:
    """An ad-hoc sub-process whose completionCondition is evaluated when its inner task completes."""
    return diagram(f'''<bpmn:adHocSubProcess id="work" name="自由子流程"><bpmn:incoming>f1</bpmn:incoming>
      <bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:serviceTask id="inner" name="内部任务" camunda:type="external" camunda:topic="noop" />
      <bpmn:completionCondition>{escape(expression)}</bpmn:completionCondition></bpmn:adHocSubProcess>''')


def loop_cardinality(expression: str) -> str:
    """A multi-instance service task whose loopCardinality is evaluated when it starts."""
    return diagram(f'''<bpmn:serviceTask id="work" name="多实例" camunda:type="external" camunda:topic="noop">
      <bpmn:incoming>f1</bpmn:incoming><bpmn:outgoing>f2</bpmn:outgoing>
      <bpmn:multiInstanceLoopCharacteristics><bpmn:loopCardinality>{escape(expression)}</bpmn:loopCardinality>
      </bpmn:multiInstanceLoopCharacteristics></bpmn:serviceTask>''')


def escape(text: str) -> str:
    """XML text content."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


HOSTILE_BUILDERS = {"message_correlation": message_correlation, "adhoc_completion": adhoc_completion,
                    "loop_cardinality": loop_cardinality}
