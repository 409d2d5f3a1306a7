"""Telegram HTML parse mode as the emulator checks it (wordings and offsets from tdlib)."""

import pytest

from sandbox.telegram_emulator.html_check import (
    HtmlParseError,
    check_html,
    parse_html,
    utf16_len,
    visible_length,
)


def describe(html: str) -> list[str]:
    """Entities as compact strings: `type offset+length [url|language|custom_emoji_id]`."""
    out = []
    for e in parse_html(html).entities:
        extra = e.get("url") or e.get("language") or e.get("custom_emoji_id")
        out.append(f"{e['type']} {e['offset']}+{e['length']}" + (f" {extra}" if extra else ""))
    return out


def test_visible_length_counts_text_after_tags_and_entities():
    assert visible_length("<b>x</b>&amp;") == 2
    assert parse_html("<b>x</b>&amp;").text == "x&"


def test_nested_tags_produce_nested_entities():
    parsed = parse_html("<b>a<i>b</i></b> <u>c</u>")
    assert parsed.text == "ab c"
    assert describe("<b>a<i>b</i></b> <u>c</u>") == ["bold 0+2", "italic 1+1", "underline 3+1"]


def test_every_documented_tag_is_accepted():
    html = (
        "<b>1</b><strong>2</strong><i>3</i><em>4</em><u>5</u><ins>6</ins><s>7</s>"
        "<strike>8</strike><del>9</del><code>0</code><pre>p</pre>"
        '<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>'
        "<blockquote>q</blockquote><blockquote expandable>e</blockquote>"
        '<tg-emoji emoji-id="5368324170671202286">👍</tg-emoji>'
    )
    parsed = parse_html(html)
    assert parsed.text == "1234567890pstqe👍"
    assert [e["type"] for e in parsed.entities] == [
        "bold",
        "bold",
        "italic",
        "italic",
        "underline",
        "underline",
        "strikethrough",
        "strikethrough",
        "strikethrough",
        "code",
        "pre",
        "spoiler",
        "spoiler",
        "blockquote",
        "expandable_blockquote",
        "custom_emoji",
    ]


def test_link_keeps_its_decoded_href():
    assert describe('<a href="https://x.test/?a=1&amp;b=2">site</a>') == [
        "text_link 0+4 https://x.test/?a=1&b=2"
    ]


def test_pre_with_code_language_is_one_pre_entity():
    html = (
        '<pre><code class="language-python">x = 1</code></pre>\n<code class="language-go">y</code>'
    )
    assert parse_html(html).text == "x = 1\ny"
    assert describe(html) == ["pre 0+5 python", "code 6+1"]


def test_offsets_and_lengths_are_utf16():
    assert describe("é<b>😀</b>") == ["bold 1+2"]
    assert utf16_len("😀x") == 3
    assert visible_length("😀") == 2


def test_allowed_entities_decode_with_or_without_semicolon():
    assert parse_html("&lt;&gt;&amp;&quot;").text == '<>&"'
    assert parse_html("&lt&gt").text == "<>"
    assert parse_html("&#65;&#x42;&#67").text == "ABC"


@pytest.mark.parametrize(
    ("html", "wording"),
    [
        ("<br>", 'Unsupported start tag "br" at byte offset 0'),
        ("a < b", 'Unsupported start tag "" at byte offset 2'),
        ("x <b", "Unclosed start tag at byte offset 2"),
        ('<a href="x"', "Unclosed start tag at byte offset 0"),
        ('<a ="x">y</a>', 'Empty attribute name in the tag "a" at byte offset 0'),
        ("<a href=x/>y</a>", "Unexpected end of name token at byte offset 8"),
        ("<span>x</span>", 'Tag "span" must have class "tg-spoiler" at byte offset 0'),
        ("x</b>", "Unexpected end tag at byte offset 1"),
        ("<b>x</b", "Unclosed end tag at byte offset 4"),
        ("<b>x</i>", 'Unmatched end tag at byte offset 4, expected "</b>", found "</i>"'),
        ("<b><i>x</b></i>", 'Unmatched end tag at byte offset 7, expected "</i>", found "</b>"'),
        ("<b>x", 'Can\'t find end tag corresponding to start tag "b"'),
        ("<b>x<i>y</i>", 'Can\'t find end tag corresponding to start tag "b"'),
        ("привет <br>", 'Unsupported start tag "br" at byte offset 13'),
        ('<tg-emoji emoji-id="x">y</tg-emoji>', "Invalid custom emoji identifier specified"),
    ],
)
def test_bad_markup_is_refused_with_telegrams_wording(html, wording):
    with pytest.raises(HtmlParseError) as caught:
        check_html(html)
    assert caught.value.description == wording


def test_nbsp_and_bare_ampersand_are_refused_in_strict_mode():
    with pytest.raises(HtmlParseError, match=r'Unsupported HTML entity "&nbsp;" at byte offset 2'):
        check_html("a &nbsp; b")
    with pytest.raises(HtmlParseError, match=r'Unescaped "&" at byte offset 4'):
        check_html("Tom & Jerry")
    assert visible_length("Tom &amp; Jerry") == len("Tom & Jerry")


def test_lenient_mode_shows_unknown_entities_literally_like_telegram():
    assert parse_html("&nbsp; Tom & Jerry", strict=False).text == "&nbsp; Tom & Jerry"


def test_a_bare_greater_than_is_plain_text():
    assert parse_html("a > b").text == "a > b"
