"""Signing in through the login page, as the page tests do."""
from __future__ import annotations

import re

PASSWORD = "Demo#2026"
# The smallest files the upload check accepts as an image and a PDF (magic bytes).
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.4\n%test\n"


def token(client, path: str = "/login") -> str:
    """The CSRF token rendered into a page's forms."""
    html = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def signed_in(app, username: str):
    """A test client with a signed-in session for a demo account."""
    client = app.test_client()
    res = client.post("/login", data={"username": username, "password": PASSWORD,
                                      "csrf_token": token(client, "/login")})
    assert res.status_code == 302
    return client
