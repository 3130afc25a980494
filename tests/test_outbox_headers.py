"""E-mail subjects come from diagram task names and tracking numbers; an owner may put a line break in a
task's name (Camunda Modeler keeps Shift+Enter in names). A subject with CR/LF must neither inject headers
nor make every e-mail of that task fail until it is dead-lettered."""
from __future__ import annotations

from dataclasses import replace
from email import message_from_bytes
from email import policy as email_policy
from types import SimpleNamespace

from services.outbox import send_email

from test_outbox import smtp_server  # noqa: F401 - the fixture


def test_a_subject_with_line_breaks_is_sent_on_one_line_without_injected_headers(settings, smtp_server):  # noqa: F811
    controller, sink = smtp_server
    mail_settings = replace(settings, smtp_host="127.0.0.1", smtp_port=controller.port,
                            smtp_sender="riskmon@example.cn")
    message = SimpleNamespace(subject="新的待办：县级\r\n处置\nBcc: evil@example.com（SX-1）", body="正文",
                              recipient="county@example.cn", idempotency_key="k-1", payload={})
    send_email(mail_settings, message)
    [(rcpt, raw)] = sink.messages
    assert rcpt == ["county@example.cn"]
    mail = message_from_bytes(raw, policy=email_policy.default)
    assert mail["Bcc"] is None
    assert mail["Subject"] == "新的待办：县级 处置 Bcc: evil@example.com（SX-1）"
