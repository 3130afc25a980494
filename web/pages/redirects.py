"""The one place that decides where a `next` parameter may send the browser: a path on this site only."""
from __future__ import annotations

from urllib.parse import unquote, urlsplit, urlunsplit

MAX_TARGET_CHARS = 2000


def _suspicious(text: str) -> bool:
    """Characters browsers drop or reinterpret in URLs (tab, newline, backslash as slash) or that have no place."""
    return any(ch == "\\" or ch.isspace() or not ch.isprintable() for ch in text)


def _decodings(text: str, depth: int = 3) -> list[str]:
    """The text and its percent-decodings, a few layers deep (double encoding hides nothing)."""
    layers = [text]
    for _ in range(depth):
        decoded = unquote(layers[-1])
        if decoded == layers[-1]:
            break
        layers.append(decoded)
    return layers


def _refused(text: str) -> bool:
    return _suspicious(text) or text.startswith("//")


def same_origin_path(target: str | None, default: str) -> str:
    """`target` rebuilt as a path on this site, or `default` when it is anything else.

    Browsers turn `/\\t/evil.example/` into `//evil.example/` (tabs and newlines are removed, a
    backslash counts as a slash), so such characters are refused outright, and in the path also
    percent-encoded (a query may carry an encoded space).
    What remains is parsed and rebuilt from its path, query and fragment: no scheme, no host.
    """
    if not isinstance(target, str) or not target or len(target) > MAX_TARGET_CHARS:
        return default
    path = target.split("?", 1)[0].split("#", 1)[0]
    if not target.startswith("/") or _suspicious(target) or any(_refused(layer) for layer in _decodings(path)):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/"):
        return default
    rebuilt = urlunsplit(("", "", parts.path, parts.query, parts.fragment))
    return rebuilt if rebuilt.startswith("/") and not rebuilt.startswith("//") else default
