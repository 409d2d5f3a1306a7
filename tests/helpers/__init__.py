"""Shared test helpers."""

from __future__ import annotations

import io

from PIL import Image


def chart_png(width: int, height: int) -> bytes:
    """A real (decodable) PNG of the given size in pixels: the Telegram emulator decodes photos."""
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (200, 200, 200)).save(buffer, "PNG")
    return buffer.getvalue()
