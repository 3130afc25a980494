"""Finding a CJK font with TrueType outlines, for documents that embed it (PDF 处置单, report charts).

reportlab and matplotlib can embed TrueType (glyf) outlines only; Noto CJK ships CFF outlines (.otf/.ttc)
that neither can embed, so the Debian package fonts-wqy-microhei (installed by `.ci/run` and the Makefile)
is the one looked for first. The path is found at run time: a machine without it gets a clear 503.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .errors import ServiceError

# (path, index of the face inside a .ttc collection); the first that exists is used.
CANDIDATES = (
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", 0),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 0),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", 0),
    ("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf", 0),
)
MISSING_MESSAGE = ("服务器未安装中文字体（请安装 Debian 软件包 fonts-wqy-microhei），暂时无法生成含中文的文档，"
                   "请联系系统管理员")


class FontUnavailable(ServiceError):
    """No CJK TrueType font on this machine: the document cannot be made (503)."""

    code, status = "font_unavailable", 503


@dataclass(frozen=True)
class CjkFont:
    """A font file and the face to use inside it."""

    path: Path
    index: int = 0


def find_cjk_font(candidates=CANDIDATES) -> CjkFont:
    """The first installed CJK TrueType font, or FontUnavailable with a Chinese message."""
    for path, index in candidates:
        if Path(path).is_file():
            return CjkFont(Path(path), index)
    raise FontUnavailable(MISSING_MESSAGE)
