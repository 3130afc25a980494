"""A local stand-in for WeChat's code2session endpoint on 127.0.0.1 (tests never reach the internet)."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


class WechatStub:
    """Answers /sns/jscode2session from `codes` ({code: openid}) or, for codes `stub:<openid>`, with that
    openid (the mini-program's end-to-end tests make their own); other codes get errcode 40029."""

    def __init__(self, appid: str = "wx-test-appid", secret: str = "wx-test-secret"):
        self.appid, self.secret = appid, secret
        self.codes: dict[str, str] = {}
        self.requests: list[dict] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, name="wechat-stub", daemon=True)

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    def _answer(self, path: str, query: dict) -> dict:
        self.requests.append({"path": path, **query})
        if path != "/sns/jscode2session":
            return {"errcode": 404, "errmsg": "not found"}
        if query.get("appid") != self.appid or query.get("secret") != self.secret:
            return {"errcode": 40013, "errmsg": "invalid appid"}
        code = query.get("js_code", "")
        openid = self.codes.get(code) or (code[5:] if code.startswith("stub:") and len(code) > 5 else None)
        if openid is None:
            return {"errcode": 40029, "errmsg": "invalid code"}
        return {"openid": openid, "session_key": "stub-session-key"}

    def _handler(self):
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's naming)
                url = urlparse(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                body = json.dumps(stub._answer(url.path, query)).encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")  # WeChat really answers JSON as text/plain
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def __enter__(self) -> "WechatStub":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.thread.join(timeout=5)
        self.server.server_close()
