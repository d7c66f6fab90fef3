"""Pictures: the uploaded campaign image (validated, resized, re-encoded) and the
Open Graph card drawn on the server.
"""

from __future__ import annotations

import io
import textwrap
import uuid
from typing import TYPE_CHECKING

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from django.core.files import File
    from PIL import ImageFont

    from alongside.campaigns.models import Campaign

MAX_UPLOAD_BYTES = 5 * 1024 * 1024
MAX_SOURCE_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_SIDE = 1600
ALLOWED_FORMATS = {"JPEG", "PNG", "WEBP"}

OG_SIZE = (1200, 630)
OG_BACKGROUND = (30, 41, 59)
OG_ACCENT = (250, 204, 21)
OG_TEXT = (255, 255, 255)


def process_upload(upload: File[bytes]) -> ContentFile[bytes]:
    """Check an uploaded image and return it resized to fit 1600 px, as a new JPEG.

    Re-encoding drops EXIF (camera, GPS) and anything hidden after the pixels.
    """
    from PIL import Image, ImageOps, UnidentifiedImageError  # loaded where used

    if upload.size is not None and upload.size > MAX_UPLOAD_BYTES:
        raise ValidationError(
            _("The image is %(size)s MB; the limit is 5 MB.")
            % {"size": f"{upload.size / 1024 / 1024:.1f}"}
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            fmt = probe.format
            width, height = probe.size
        if fmt not in ALLOWED_FORMATS:
            raise ValidationError(_("Upload a JPEG, PNG or WebP image."))
        if width * height > MAX_SOURCE_PIXELS:
            raise ValidationError(
                _("The image is %(w)d × %(h)d pixels; use one under 40 megapixels.")
                % {"w": width, "h": height}
            )
        upload.seek(0)
        with Image.open(upload) as source:
            source.load()
            image = ImageOps.exif_transpose(source).convert("RGB")
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            image.save(out, format="JPEG", quality=85, optimize=True)
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise ValidationError(
            _(
                "This file is not an image we can read. Upload a JPEG, PNG or WebP image."
            )
        ) from None
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")


def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    from PIL import ImageFont

    return ImageFont.load_default(size=size)


def og_card(campaign: Campaign) -> bytes:
    """A 1200 × 630 PNG with the title, the count of confirmed signatures and the goal."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", OG_SIZE, OG_BACKGROUND)
    draw = ImageDraw.Draw(image)
    margin = 72
    title_font = _font(60)
    y = margin
    for line in textwrap.wrap(campaign.title, width=32)[:4]:
        draw.text((margin, y), line, font=title_font, fill=OG_TEXT)
        y += 74
    count_font = _font(96)
    count_text = f"{campaign.confirmed_count:,}"
    draw.text((margin, 380), count_text, font=count_font, fill=OG_ACCENT)
    label = ngettext(
        "signature of %(goal)s", "signatures of %(goal)s", campaign.confirmed_count
    ) % {"goal": f"{campaign.goal:,}"}
    draw.text((margin, 490), label, font=_font(40), fill=OG_TEXT)
    # Progress bar along the bottom.
    bar_top, bar_height = OG_SIZE[1] - 40, 16
    draw.rectangle(
        (margin, bar_top, OG_SIZE[0] - margin, bar_top + bar_height), fill=(71, 85, 105)
    )
    filled = (OG_SIZE[0] - 2 * margin) * campaign.progress_percent() // 100
    if filled:
        draw.rectangle(
            (margin, bar_top, margin + filled, bar_top + bar_height), fill=OG_ACCENT
        )
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
