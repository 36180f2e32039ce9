"""Charset choice and decoding of HTML bodies: BOM, HTTP header, <meta>, detection."""

import codecs

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from massivetext.io.charset import META_PRESCAN_BYTES, codec_for_label, decode_html

RUSSIAN = ("<p>Привет! Это обычная страница на русском языке, написанная для проверки "
           "того, как определяется кодировка без объявления в заголовках.</p>") * 4


@pytest.mark.parametrize("bom, codec", [
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
])
def test_bom_wins_over_every_declaration(bom, codec):
    body = bom + "<p>héllo</p>".encode(codec)
    text, charset, source = decode_html(body, "text/html; charset=iso-8859-1")
    assert (text, charset, source) == ("<p>héllo</p>", codec, "bom")


def test_http_header_charset_beats_meta():
    body = '<meta charset="utf-8"><p>caf\xe9</p>'.encode("cp1252")
    text, charset, source = decode_html(body, 'text/html; charset="windows-1252"')
    assert (charset, source) == ("cp1252", "http-header")
    assert "café" in text


def test_latin1_label_decodes_as_windows_1252_like_browsers():
    text, charset, _ = decode_html(b"<p>\x93quoted\x94</p>", "text/html; charset=ISO-8859-1")
    assert charset == "cp1252"
    assert text == "<p>\u201cquoted\u201d</p>"


@pytest.mark.parametrize("label", ["utf-7", "rot13", "base64", "no-such-charset", ""])
def test_bogus_or_unsafe_header_charset_falls_through_to_meta(label):
    body = "<meta charset='shift_jis'><p>日本語</p>".encode("shift_jis")
    text, charset, source = decode_html(body, f"text/html; charset={label}")
    assert (charset, source) == ("cp932", "meta")
    assert "日本語" in text


def test_meta_http_equiv_content_charset():
    body = ('<html><head><meta http-equiv="Content-Type" '
            'content="text/html; charset=EUC-JP"></head><body>東京</body>').encode("euc-jp")
    text, charset, source = decode_html(body, "text/html")
    assert (charset, source) == ("euc_jp", "meta")
    assert "東京" in text


def test_meta_claiming_utf16_means_utf8():
    body = '<meta charset="utf-16"><p>naïve</p>'.encode()
    assert decode_html(body, None)[1:] == ("utf-8", "meta")


def test_meta_after_the_prescan_window_is_not_used():
    padding = b"<!--" + b"x" * META_PRESCAN_BYTES + b"-->"
    body = padding + b'<meta charset="koi8-r">' + "<p>тест</p>".encode()
    assert decode_html(body, None)[1:] == ("utf-8", "detected")


def test_undeclared_cyrillic_is_detected():
    text, charset, source = decode_html(RUSSIAN.encode("cp1251"), None)
    assert (charset, source) == ("cp1251", "detected")
    assert text == RUSSIAN


def test_undeclared_utf8_is_detected_even_when_cut_mid_character():
    body = ("<p>" + "ü" * 40000 + "</p>").encode("utf-8")
    text, charset, source = decode_html(body, "text/html")
    assert (charset, source) == ("utf-8", "detected")
    assert text.count("ü") == 40000


def test_binary_junk_defaults_to_utf8_with_replacement():
    text, charset, source = decode_html(bytes(range(256)) * 4, None)
    assert (charset, source) == ("utf-8", "default")
    assert "\ufffd" in text


def test_a_few_bad_bytes_under_a_declared_charset_keep_it_and_never_raise():
    body = b"<p>ok \xff\xfe\xc3</p>" + b"<p>plain words here</p>" * 20
    text, charset, source = decode_html(body, "text/html; charset=utf-8")
    assert (charset, source) == ("utf-8", "http-header")
    assert text.startswith("<p>ok ") and text.count("\ufffd") == 3


ARTICLE = "<html><body><p>Ein schöner Tag am Fluss, naïve café owners — “quoted”.</p>" * 5


@pytest.mark.parametrize("declared", ["utf-16", "utf-16le", "UTF-16BE"])
def test_a_lying_http_utf16_charset_falls_back_like_a_lying_meta(declared):
    # issue 9, item 4: UTF-8 bytes served as UTF-16 (no BOM) must not become CJK noise.
    body = ARTICLE.encode("utf-8")
    text, charset, source = decode_html(body, f"text/html; charset={declared}")
    assert text == ARTICLE
    assert (charset, source) == ("utf-8", "detected;http-header-implausible")


def test_a_lying_http_multibyte_charset_falls_back_to_meta():
    body = ('<meta charset="windows-1252">' + ARTICLE).encode("cp1252", "replace")
    text, charset, source = decode_html(body, "text/html; charset=utf-8")
    assert (charset, source) == ("cp1252", "meta;http-header-implausible")
    assert "schöner" in text


def test_true_utf16_without_bom_keeps_the_header():
    body = ARTICLE.encode("utf-16-le")
    text, charset, source = decode_html(body, "text/html; charset=utf-16")
    assert (text, charset, source) == (ARTICLE, "utf-16-le", "http-header")


@pytest.mark.parametrize("label, codec", [
    ("UTF8", "utf-8"), (" 'latin1' ", "cp1252"), ("GB2312", "gb18030"), ("big5", "big5hkscs"),
    ("Shift_JIS", "cp932"), ("ks_c_5601-1987", "cp949"), ("x-mac-roman", "mac-roman"),
    ("hex", None), ("unicode_escape", None),
])
def test_codec_for_label(label, codec):
    assert codec_for_label(label) == codec


@settings(max_examples=150, deadline=None)
@given(body=st.binary(max_size=2000), content_type=st.one_of(st.none(), st.text(max_size=60)))
def test_decoding_never_raises(body, content_type):
    text, charset, source = decode_html(body, content_type)
    assert isinstance(text, str) and codec_for_label(charset) == charset
    assert source in {"bom", "http-header", "meta", "detected", "default"}


def test_undeclared_western_text_prefers_windows_1252_when_the_detector_ties():
    # Mostly ASCII English with one accented word: cp1250 and cp1252 decode it equally
    # cleanly, and the detector's own first choice is cp1250.
    body = ("<html><body><p>" + "The market opened early and the people walked to the "
            "river. " * 20 + "We ate a crêpe there.</p></body></html>").encode("cp1252")
    text, codec, source = decode_html(body, "text/html")
    assert (codec, source) == ("cp1252", "detected")
    assert "crêpe" in text


def test_pages_whose_http_charset_was_refused_are_counted_in_the_read_statistics():
    from massivetext.pipelines.accounting import CHARSET_HEADER_IMPLAUSIBLE, _outcome_triples

    from massivetext.document import WebPage

    def read_triples(element):
        return _outcome_triples(element, "read", (), counts_records=True)

    def page(source):
        return WebPage(url="http://a/", record_id="r", date="", source="f", offset=0,
                       html="<p>x</p>", charset="utf-8", charset_source=source)

    refused = decode_html(ARTICLE.encode(), "text/html; charset=utf-16")[2]
    assert ("read", CHARSET_HEADER_IMPLAUSIBLE, 1) in read_triples(page(refused))
    assert ("read", CHARSET_HEADER_IMPLAUSIBLE, 1) not in read_triples(page("http-header"))
