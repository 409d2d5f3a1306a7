"""The Telegram-safe splitter: limits in UTF-16 units, valid HTML in every chunk, no cut entity."""

from __future__ import annotations

import re

import pytest

from reports.split import SplitError, fit_caption, split_html, utf16_length, visible_length
from sandbox.telegram_emulator.html_check import check_html


def assert_valid(chunks: list[str], limit: int) -> None:
    assert chunks
    for chunk in chunks:
        assert utf16_length(chunk) <= limit
        assert visible_length(chunk) <= limit
        check_html(chunk)  # Telegram's own rules: tags balanced, entities whole
        # No cut tag: every '<' opens a whole tag and every '&' starts a whole entity.
        assert not re.search(r"<[^>]*$", chunk) and not re.search(r"&#?\w*$", chunk)
        assert all(re.match(r"&(#\d+|#x[0-9a-f]+|amp|lt|gt|quot);", m.group(0) + chunk[m.end():]
                                                                                   [:10])
                   for m in re.finditer("&", chunk))  # fmt: skip


def test_visible_length_strips_tags_and_unescapes() -> None:
    assert visible_length("<b>x</b>&amp;") == 2
    assert visible_length('<a href="https://example.com/a&amp;b">go</a>') == 2


def test_visible_length_counts_utf16_units() -> None:
    assert visible_length("😀") == 2  # outside the BMP: a surrogate pair
    assert visible_length("✅") == 1
    assert visible_length("⚠️") == 2  # U+26A0 plus the variation selector
    assert utf16_length("<b>😀</b>") == 9


def test_small_sections_pack_into_one_message() -> None:
    sections = ["<b>Satu</b>\nbaris", "Dua &amp; tiga", "  \n ", "<i>empat</i>"]
    assert split_html(sections) == ["<b>Satu</b>\nbaris\n\nDua &amp; tiga\n\n<i>empat</i>"]


def test_sections_that_do_not_fit_start_a_new_message() -> None:
    sections = [f"<b>Bagian {n}</b>\n" + "x" * 1500 for n in range(5)]
    chunks = split_html(sections)
    assert_valid(chunks, 4096)
    assert len(chunks) == 3
    assert all(chunk.startswith("<b>Bagian") for chunk in chunks)  # sections are never cut
    assert "".join(chunks).count("<b>Bagian") == 5


def test_a_10000_character_section_is_cut_at_lines_with_tags_reopened() -> None:
    lines = [f"✅ Toko {n:03d}: <i>FF 68,1 %</i> &amp; stok 1.234 pasang" for n in range(250)]
    section = "<blockquote expandable><b>Daftar</b>\n" + "\n".join(lines) + "</blockquote>"
    assert len(section) > 10_000
    chunks = split_html([section])
    assert_valid(chunks, 4096)
    assert len(chunks) >= 3
    assert all(c.startswith("<blockquote expandable>") for c in chunks)
    assert all(c.endswith("</blockquote>") for c in chunks)
    text = "\n".join(chunks)
    for line in lines:  # every line arrives whole, in order
        assert line in text
    assert [int(n) for n in re.findall(r"Toko (\d+)", text)] == list(range(250))


def test_a_line_longer_than_a_message_is_cut_between_words() -> None:
    words = " ".join(f"kata{n}&amp;lagi" for n in range(400))
    chunks = split_html([f"<b>{words}</b>"], limit=500)
    assert_valid(chunks, 500)
    assert all(c.startswith("<b>") and c.endswith("</b>") for c in chunks)
    rejoined = " ".join(c.removeprefix("<b>").removesuffix("</b>") for c in chunks)
    assert rejoined.split() == words.split()


@pytest.mark.parametrize("limit", [64, 100, 257, 1024])
def test_entities_and_emoji_are_never_cut(limit: int) -> None:
    text = "&amp;&lt;&gt;&quot;&#128512;😀⚠️" * 300
    chunks = split_html([text], limit=limit)
    assert_valid(chunks, limit)
    assert "".join(chunks) == text


def test_unbalanced_input_is_repaired() -> None:
    chunks = split_html(["<b>tebal <i>miring</b> sisa</i> akhir</u>", "<b>terbuka"])
    assert_valid(chunks, 4096)
    assert chunks == ["<b>tebal <i>miring</i></b> sisa akhir\n\n<b>terbuka</b>"]


def test_empty_input_gives_no_messages() -> None:
    assert split_html([]) == []
    assert split_html(["", "<b> </b>", "\n"]) == []


def test_limits_too_small_or_tags_too_long_are_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        split_html(["x"], limit=10)
    with pytest.raises(SplitError):
        split_html([f'<a href="https://example.com/{"x" * 200}">tautan</a>'], limit=100)


def test_caption_that_fits_is_kept_whole() -> None:
    caption = "📊 <b>FF / FA / FS per cabang</b> · stok 16 Feb 2026"
    assert fit_caption(caption) == (caption, "")


def test_long_caption_moves_the_rest_to_overflow() -> None:
    lines = [f"<b>Cabang {n}</b>: FF <i>68,1 %</i> &amp; FA 90 %" for n in range(60)]
    caption, overflow = fit_caption("\n".join(lines))
    assert_valid([caption], 1024)
    assert_valid([overflow], 10_000)
    assert caption.startswith("<b>Cabang 0</b>")
    assert overflow and "Cabang 59" in overflow and "Cabang 59" not in caption
    assert re.findall(r"Cabang \d+", caption + overflow) == [f"Cabang {n}" for n in range(60)]
