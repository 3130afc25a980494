"""Fixed wording taken from the policy text, so that every page, document and API says it the same way."""
from __future__ import annotations

# 陕市监发〔2025〕204号: reports serve assistance and guidance only, never penalties or other constraints.
NON_PUNITIVE_NOTICE = "报送信息仅用于帮扶指导解决问题，不作为行政处罚或其他行政约束的依据"
