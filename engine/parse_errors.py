"""SpiffWorkflow's parser and schema errors in Chinese, tied to the element they are about.

The library's messages are English and often carry no element id (schema errors only a line
number): the owner would see "The process 'x' was not found" with nothing to click. Here the common
ones are translated, and the element is found by id or by source line.
"""
from __future__ import annotations

import re

TRANSLATIONS = (
    (r"No start event found", "流程缺少开始事件"),
    (r"The process '?([^' ]+)'? was not found", r"调用的流程“\1”不在本文件中"),
    (r"Duplicate process ID: (\S+)", r"流程 id“\1”重复"),
    (r"Process (\S+) is not executable", r"流程“\1”不是可执行流程（isExecutable=\"true\"）"),
    (r"Expected an error node", "错误事件引用的错误定义（bpmn:error）不存在"),
    (r"Expected a Message node", "消息事件引用的消息定义不存在"),
    (r"Unknown Time Specification", "定时器缺少 timeDate、timeDuration 或 timeCycle"),
    (r"Time Specification Error\.? ?(.*)", r"定时器不合法：\1"),
    (r"Multiple outgoing flows are not supported", "该类型的任务不能有多条出口连线，请在其后加网关"),
    (r"A SubWorkflow Must contain an End event", "子流程缺少结束事件"),
    (r"A multiinstance task must specify a cardinality or a collection",
     "多实例任务须指定个数（loopCardinality）或集合（camunda:collection）"),
    (r"There is no support implemented for this task type", "不支持该类型的元素"),
    (r"Cancel Events may only be used with transactions", "取消事件只能用于事务子流程（本平台不支持）"),
    (r"No decisions found", "决策表文件中没有决策"),
    (r"Element '[^']*?([A-Za-z]+)', attribute '([^']+)': .*not allowed", r"元素 \1 不允许有属性 \2（不符合 BPMN 2.0 规范）"),
    (r"Element '[^']*?([A-Za-z]+)': This element is not expected", r"元素 \1 不能放在这里（不符合 BPMN 2.0 规范）"),
    (r"Element '[^']*?([A-Za-z]+)'.*", r"元素 \1 不符合 BPMN 2.0 规范"),
)


def translate(exc: BaseException, root=None) -> tuple[str | None, str]:
    """(element id, Chinese message) for a parser exception; the original text is kept in parentheses."""
    original = str(exc).splitlines()[0][:300] if str(exc) else type(exc).__name__
    element_id = getattr(exc, "id", None) or _element_at_line(root, getattr(exc, "line_number", None))
    for pattern, chinese in TRANSLATIONS:
        match = re.search(pattern, original)
        if match:
            return element_id, f"{match.expand(chinese)}（原始信息：{original}）"
    return element_id, f"流程图无法解析（原始信息：{original}）"


def _element_at_line(root, line) -> str | None:
    if root is None or not isinstance(line, int):
        return None
    for el in root.iter():
        if isinstance(el.tag, str) and el.sourceline == line:
            holder = el
            while holder is not None and holder.get("id") is None:
                holder = holder.getparent()
            return holder.get("id") if holder is not None else None
    return None
