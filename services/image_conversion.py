"""Phone photos in HEIC/HEIF (iPhone's default) become JPEG on arrival, so every browser can show them."""
from __future__ import annotations

import io
from pathlib import Path

from .errors import Invalid

# ISO-BMFF major brands of HEIF still images and sequences (ISO/IEC 23008-12).
HEIF_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"hevc", b"hevx", b"mif1", b"msf1"}
# A 48-megapixel phone photo is ~49 M pixels; refuse more before decoding (a small file can declare a huge image).
MAX_PIXELS = 64_000_000
JPEG_QUALITY = 88


def is_heif(data: bytes) -> bool:
    """True when the bytes start like a HEIF/HEIC file (an `ftyp` box with a HEIF brand)."""
    return len(data) >= 12 and data[4:8] == b"ftyp" and data[8:12] in HEIF_BRANDS


def heif_to_jpeg(data: bytes, filename: str) -> tuple[bytes, str]:
    """The photo as JPEG bytes and its name with a .jpg suffix; 422 with a Chinese message if it cannot be read."""
    try:
        import pillow_heif
    except ImportError:  # pragma: no cover - pillow-heif is a declared dependency
        raise Invalid(f"照片“{filename}”为 HEIC 格式，本服务器暂不支持转换，请在手机相机设置中选择"
                      "“兼容性最佳”后重拍，或上传 JPG、PNG 照片") from None
    unreadable = Invalid(f"照片“{filename}”是 HEIC 格式但无法读取（文件可能已损坏），请重新拍摄或改传 JPG、PNG 照片")
    try:
        heif = pillow_heif.open_heif(io.BytesIO(data), convert_hdr_to_8bit=True)
        width, height = heif.size
    except (ValueError, RuntimeError, OSError, SyntaxError):
        raise unreadable from None
    if width * height > MAX_PIXELS:
        raise Invalid(f"照片“{filename}”分辨率过高（{width}×{height}），请压缩后再上传")
    try:
        image = heif.to_pillow().convert("RGB")
    except (ValueError, RuntimeError, OSError):
        raise unreadable from None
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=JPEG_QUALITY)
    name = Path((filename or "照片").replace("\\", "/")).stem or "照片"
    return out.getvalue(), name + ".jpg"
