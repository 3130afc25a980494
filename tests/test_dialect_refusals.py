"""The attacker's diagrams of issue 10: each construct that used to be accepted and then broke, or was
silently ignored, is now refused at upload with a 422 whose details name the element, in Chinese."""
from __future__ import annotations

import re

import pytest
from legacy_diagrams import replace_once, seed_xml, upload

CJK = re.compile(r"[\u4e00-\u9fff]")
INSPECTION_TASK = ('<bpmn:userTask id="inspection_consultation" name="综合检验机构意见" '
                   'camunda:candidateGroups="inspection_officer" camunda:dueDate="P5D">')
INSPECTION_END = '<bpmn:outgoing>flow_consultation_back</bpmn:outgoing>\n    </bpmn:userTask>'
DISPATCH = ('<bpmn:serviceTask id="dispatch_guidance" name="下达指导意见" camunda:type="external" '
            'camunda:topic="dispatch_guidance">')


def retyped(xml: str, tag: str, attributes: str = "") -> str:
    """inspection_consultation as another element type (its form and flows kept)."""
    xml = replace_once(xml, INSPECTION_TASK, f'<bpmn:{tag} id="inspection_consultation" name="综合检验机构意见"{attributes}>')
    return replace_once(xml, INSPECTION_END, f"<bpmn:outgoing>flow_consultation_back</bpmn:outgoing>\n    </bpmn:{tag}>")


def on_dispatch(attributes: str = "", extension: str = "") -> callable:
    def make(xml):
        tag = DISPATCH.replace(">", f" {attributes}>") if attributes else DISPATCH
        if extension:
            tag += f"<bpmn:extensionElements>{extension}</bpmn:extensionElements>"
        return replace_once(xml, DISPATCH, tag)
    return make


def on_inspection(attributes: str = "", extension: str = "", inner: str = "") -> callable:
    def make(xml):
        tag = INSPECTION_TASK.replace(">", f" {attributes}>") if attributes else INSPECTION_TASK
        xml = replace_once(xml, INSPECTION_TASK, tag + inner)
        if extension:
            xml = replace_once(xml, '<camunda:formField id="inspection_opinion"',
                               f'{extension}<camunda:formField id="inspection_opinion"')
        return xml
    return make


def on_inspection_field(old: str, new: str) -> callable:
    def make(xml):
        start = xml.index('<camunda:formField id="inspection_opinion"')
        end = xml.index("</camunda:formField>", start)
        block = xml[start:end]
        assert block.count(old) == 1, old
        return xml[:start] + block.replace(old, new) + xml[end:]
    return make


def on_county_timer(element_id: str, old: str, new: str) -> callable:
    def make(xml):
        start = xml.index(f'<bpmn:boundaryEvent id="{element_id}"')
        end = xml.index("</bpmn:boundaryEvent>", start)
        block = xml[start:end]
        assert block.count(old) == 1, old
        return xml[:start] + block.replace(old, new) + xml[end:]
    return make


def on_condition(old: str, new: str) -> callable:
    return lambda xml: replace_once(xml, f">{old}</bpmn:conditionExpression>", f">{new}</bpmn:conditionExpression>")


def with_root(definition: str) -> callable:
    return lambda xml: replace_once(xml, '<bpmn:collaboration id="Collaboration_risk">',
                                    definition + '<bpmn:collaboration id="Collaboration_risk">')


def with_node(node: str) -> callable:
    """A new node in the process (before the end event); its missing drawing adds a finding too."""
    return lambda xml: replace_once(xml, '<bpmn:endEvent id="end_report" name="已办结">',
                                    node + '<bpmn:endEvent id="end_report" name="已办结">')


def doctype_after_4k(xml: str) -> str:
    padding = "<!-- " + "填充" * 3000 + " -->"
    return replace_once(xml, "<bpmn:collaboration", padding + '<!DOCTYPE x [<!ENTITY e "x">]><bpmn:collaboration')


MI = '<bpmn:multiInstanceLoopCharacteristics{a}>{c}</bpmn:multiInstanceLoopCharacteristics>'
ESP = ('<bpmn:subProcess id="esp" name="事件子流程" triggeredByEvent="true">'
       '<bpmn:startEvent id="esp_start" name="开始"{a}>{d}</bpmn:startEvent>'
       '<bpmn:endEvent id="esp_end" /><bpmn:sequenceFlow id="esp_f" sourceRef="esp_start" targetRef="esp_end" />'
       '</bpmn:subProcess>')

CASES = [
    # accepted, then broken
    ("manual_task", lambda x: retyped(x, "manualTask"), "inspection_consultation", "用户任务"),
    ("plain_task", lambda x: retyped(x, "task"), "inspection_consultation", "candidateGroups"),
    ("send_task", lambda x: retyped(x, "sendTask"), "inspection_consultation", "sendTask"),
    ("receive_task", lambda x: retyped(x, "receiveTask"), "inspection_consultation", "消息"),
    ("cycle_on_interrupting_deadline", on_county_timer("county_deadline", "<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">P7D</bpmn:timeDuration>", "<bpmn:timeCycle>R3/PT10M</bpmn:timeCycle>"), "county_deadline", "非中断"),
    ("unbounded_cycle", on_county_timer("county_reminder", "<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">P3D</bpmn:timeDuration>", "<bpmn:timeCycle>R/PT10M</bpmn:timeCycle>"), "county_reminder", "无限"),
    ("cron_cycle", on_county_timer("county_reminder", "<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">P3D</bpmn:timeDuration>", "<bpmn:timeCycle>0 0 9 * * ?</bpmn:timeCycle>"), "county_reminder", "cron"),
    ("bad_date", on_county_timer("county_deadline", "<bpmn:timeDuration xsi:type=\"bpmn:tFormalExpression\">P7D</bpmn:timeDuration>", "<bpmn:timeDate>2026-13-45</bpmn:timeDate>"), "county_deadline", "日期"),
    ("huge_duration", on_county_timer("county_deadline", ">P7D<", ">P99999999Y<"), "county_deadline", "时长"),
    ("call_missing_process", with_node('<bpmn:callActivity id="call_other" name="调用" calledElement="nowhere" />'), "call_other", "nowhere"),
    # accepted, silently ignored
    ("java_class", on_dispatch('camunda:class="com.acme.Dispatch"'), "dispatch_guidance", "Java"),
    ("expression_delegate", on_dispatch('camunda:expression="${bean.run(execution)}"'), "dispatch_guidance", "camunda:topic"),
    ("delegate_expression", on_dispatch('camunda:delegateExpression="${dispatcher}"'), "dispatch_guidance", "Java"),
    ("execution_listener_class", on_dispatch(extension='<camunda:executionListener class="com.acme.L" event="start" />'), "dispatch_guidance", "监听器"),
    ("task_listener_expression", on_inspection(extension='<camunda:taskListener expression="${x.y()}" event="create" />'), "inspection_consultation", "监听器"),
    ("assignee_expression", on_inspection('camunda:assignee="${execution.getVariable(&quot;initiator&quot;)}"'), "inspection_consultation", "账号"),
    ("candidate_users_expression", on_inspection('camunda:candidateUsers="${users()}"'), "inspection_consultation", "账号"),
    ("follow_up_expression", on_inspection('camunda:followUpDate="${dateTime().plusDays(1)}"'), "inspection_consultation", "followUpDate"),
    ("execution_parameter", lambda x: replace_once(x, '<camunda:inputParameter name="target">county</camunda:inputParameter>', "<camunda:inputParameter name=\"target\">${execution.getVariable('x')}</camunda:inputParameter>"), "county_send_reminder", "字面值"),
    ("script_parameter", lambda x: replace_once(x, '<camunda:inputParameter name="target">county</camunda:inputParameter>', '<camunda:inputParameter name="target"><camunda:script scriptFormat="groovy">"x"</camunda:script></camunda:inputParameter>'), "county_send_reminder", "脚本"),
    ("unknown_parameter", lambda x: replace_once(x, '<camunda:inputParameter name="target">county</camunda:inputParameter>', '<camunda:inputParameter name="recipient">county</camunda:inputParameter>'), "county_send_reminder", "recipient"),
    ("output_parameter", lambda x: replace_once(x, '<camunda:inputParameter name="target">county</camunda:inputParameter>', '<camunda:inputParameter name="target">county</camunda:inputParameter><camunda:outputParameter name="o">x</camunda:outputParameter>'), "county_send_reminder", "输出参数"),
    ("loop_cardinality_code", on_inspection(inner=MI.format(a="", c="<bpmn:loopCardinality>__import__('os').getpid()</bpmn:loopCardinality>")), "inspection_consultation", "__import__"),
    ("completion_condition_code", on_inspection(inner=MI.format(a=' camunda:collection="experts" camunda:elementVariable="expert"', c="<bpmn:completionCondition>().__class__</bpmn:completionCondition>")), "inspection_consultation", "不安全"),
    ("collection_code", on_inspection(inner=MI.format(a=' camunda:collection="${execution.getVariables()}" camunda:elementVariable="e"', c="")), "inspection_consultation", "不安全"),
    ("multi_instance_on_service_task", lambda x: replace_once(x, DISPATCH, DISPATCH + MI.format(a="", c="<bpmn:loopCardinality>3</bpmn:loopCardinality>")), "dispatch_guidance", "bpmn:userTask"),
    ("conditional_boundary", lambda x: replace_once(x, '<bpmn:timerEventDefinition id="TimerEventDefinition_county_reminder">\n        <bpmn:timeDuration xsi:type="bpmn:tFormalExpression">P3D</bpmn:timeDuration>\n      </bpmn:timerEventDefinition>', '<bpmn:conditionalEventDefinition><bpmn:condition>overdue == True</bpmn:condition></bpmn:conditionalEventDefinition>'), "county_reminder", "条件事件"),
    ("default_value_code", on_inspection_field('type="string">', 'type="string" defaultValue="${__import__(\'os\')}">'), "inspection_consultation", "字面值"),
    ("java_validator", on_inspection_field('<camunda:constraint name="required" />', '<camunda:constraint name="validator" config="com.acme.Check" />'), "inspection_consultation", "validator"),
    ("bad_widget", on_inspection_field('<camunda:property id="widget" value="textarea" />', '<camunda:property id="widget" value="richtext" />'), "inspection_consultation", "richtext"),
    ("unknown_form_property", on_inspection_field('<camunda:property id="widget" value="textarea" />', '<camunda:property id="onSubmit" value="x" />'), "inspection_consultation", "widget"),
    ("bad_records", on_inspection_field('<camunda:property id="widget" value="textarea" />', '<camunda:property id="records" value="password" />'), "inspection_consultation", "password"),
    ("doctype_after_4k", doctype_after_4k, None, "DOCTYPE"),
    # and the rest of the closed dialect
    ("form_key", on_inspection('camunda:formKey="embedded:app:forms/x.html"'), "inspection_consultation", "formKey"),
    ("async_before", on_dispatch('camunda:asyncBefore="true"'), "dispatch_guidance", "事务"),
    ("foreign_attribute", lambda x: on_dispatch('acme:hook="run"')(x.replace('<bpmn:definitions ', '<bpmn:definitions xmlns:acme="http://acme.example/x" ', 1)), "dispatch_guidance", "acme"),
    ("properties_on_task", on_dispatch(extension='<camunda:properties><camunda:property name="k" value="v" /></camunda:properties>'), "dispatch_guidance", "camunda:properties"),
    ("feel_condition", lambda x: replace_once(x, '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">decision == "consult"', '<bpmn:conditionExpression xsi:type="bpmn:tFormalExpression" language="feel">decision = "consult"'), "flow_city_consult", "FEEL"),
    ("juel_condition", on_condition('decision == "consult"', '${decision.equals("consult")}'), "flow_city_consult", "不允许访问属性"),
    ("condition_syntax_error", on_condition('decision == "consult"', 'decision == "consult" and'), "flow_city_consult", "列附近"),
    ("message_correlation", with_root('<bpmn:message id="m1" name="撤回" /><bpmn:correlationProperty id="cp"><bpmn:correlationPropertyRetrievalExpression messageRef="m1"><bpmn:messagePath>__import__("os").system("id")</bpmn:messagePath></bpmn:correlationPropertyRetrievalExpression></bpmn:correlationProperty>'), "cp", "关联"),
    # a signal may only be caught by the take-over boundary event; nothing in a diagram may throw one
    ("signal_throw", with_node('<bpmn:intermediateThrowEvent id="sig_throw"><bpmn:signalEventDefinition '
                               'id="sig_def" /></bpmn:intermediateThrowEvent>'), "sig_throw", "信号"),
    ("ad_hoc_subprocess", with_node('<bpmn:adHocSubProcess id="adhoc"><bpmn:completionCondition>__import__("os")</bpmn:completionCondition></bpmn:adHocSubProcess>'), "adhoc", "adHocSubProcess"),
    ("message_event_subprocess", with_node(ESP.format(a="", d='<bpmn:messageEventDefinition messageRef="m" />')), "esp_start", "消息"),
    ("interrupting_timer_event_subprocess", with_node(ESP.format(a="", d="<bpmn:timerEventDefinition><bpmn:timeDuration>P2D</bpmn:timeDuration></bpmn:timerEventDefinition>")), "esp_start", "非中断"),
    ("data_association", with_node('<bpmn:dataObjectReference id="dor" dataObjectRef="do" /><bpmn:dataObject id="do" /><bpmn:userTask id="with_data" camunda:candidateGroups="county_officer"><bpmn:dataOutputAssociation id="doa"><bpmn:targetRef>dor</bpmn:targetRef></bpmn:dataOutputAssociation></bpmn:userTask>'), "with_data", "数据关联"),
    ("event_gateway", with_node('<bpmn:eventBasedGateway id="evgw" />'), "evgw", "事件网关"),
]


@pytest.mark.parametrize("name,make,element_id,needle", CASES, ids=[c[0] for c in CASES])
def test_construct_is_refused_naming_the_element(api, name, make, element_id, needle):
    res = upload(api, make(seed_xml()))
    assert res.status_code == 422, (name, res.status_code, res.get_data(as_text=True)[:500])
    details = res.get_json()["error"].get("details") or []
    assert details, res.get_json()
    text = " ".join(d["message"] for d in details)
    assert CJK.search(text), text
    assert needle in text, text
    if element_id:
        assert element_id in [d["element_id"] for d in details], details


@pytest.mark.parametrize("make", [
    on_inspection('camunda:assignee="inspect.610100"'),
    on_inspection('camunda:candidateUsers="inspect.610100, county.610113"'),
    on_inspection_field('<camunda:constraint name="required" />',
                        '<camunda:constraint name="required" /><camunda:constraint name="maxlength" config="500" />'),
    on_inspection_field('type="string">', 'type="string" defaultValue="无">'),
    on_inspection_field('<camunda:property id="widget" value="textarea" />',
                        '<camunda:property id="widget" value="textarea" /><camunda:property id="records" value="opinion" />'),
    lambda x: replace_once(x, INSPECTION_END, INSPECTION_END.replace(
        "\n    </bpmn:userTask>", MI.format(a="", c="<bpmn:loopCardinality>2</bpmn:loopCardinality>")
        + "\n    </bpmn:userTask>")),
], ids=["assignee", "candidate_users", "maxlength", "default_value", "records", "loop_cardinality"])
def test_supported_extensions_are_accepted(api, make):
    res = upload(api, make(seed_xml()))
    assert res.status_code == 201, res.get_json()


def test_every_refusal_message_is_chinese():
    from engine.dialect_table import REFUSALS, refusal

    assert all(CJK.search(advice) for advice in REFUSALS.values())
    assert CJK.search(refusal("acme:unknown"))


def test_form_constraints_are_enforced_when_the_task_is_completed(api):
    from legacy_diagrams import upload_and_publish

    xml = seed_xml()
    start = xml.index('<camunda:formField id="measures" label="处置措施"')
    end = xml.index("</camunda:formField>", start)
    block = xml[start:end].replace('<camunda:constraint name="required" />',
                                   '<camunda:constraint name="required" /><camunda:constraint name="minlength" config="6" />')
    xml = xml[:start] + block + xml[end:]
    upload_and_publish(api, xml)
    rid = api.submit()["id"]
    data = {"decision": "resolve", "measures": "已处置", "risk_level": "low", "quality_score": 3}
    res = api.complete("county.610113", rid, "county_disposal", data, expect=422)
    assert "至少 6 个字符" in res["error"]["message"]
    api.complete("county.610113", rid, "county_disposal", {**data, "measures": "已现场核查并督促整改"})


def test_library_schema_errors_are_chinese_and_name_the_element(api):
    """SpiffWorkflow's XSD check answers in English with a line number only; we name the element."""
    xml = on_inspection(inner=MI.format(a="", c="<bpmn:loopCardinality>2</bpmn:loopCardinality>"))(seed_xml())
    res = upload(api, xml)  # loop characteristics before extensionElements: valid dialect, invalid BPMN order
    assert res.status_code == 422
    (detail,) = res.get_json()["error"]["details"]
    assert detail["element_id"] == "inspection_consultation"
    assert detail["message"].startswith("BPMN 结构不合法：元素") and "BPMN 2.0 规范" in detail["message"]


def test_parser_error_translation_names_the_element():
    from engine.parse_errors import translate

    class LibraryError(Exception):
        id = "p1"

    element_id, message = translate(LibraryError("No start event found"))
    assert element_id == "p1" and message.startswith("流程缺少开始事件")
    assert translate(RuntimeError("something odd"))[1].startswith("流程图无法解析")
