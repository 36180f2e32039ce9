"""Decode an HTML response body to text, choosing the charset as a browser would.

The order follows the WHATWG encoding-sniffing algorithm, simplified: a byte-order mark,
then the HTTP ``Content-Type`` charset, then a ``<meta>`` declaration near the top of
the document, then detection, then UTF-8. A declared charset that names no encoding we
accept falls through to the next source, and so does an HTTP charset whose decoding is
implausible (see :func:`implausible`): servers often send a default charset whatever the
page holds, so the header is the source most often wrong. Such pages keep the source of
the charset finally used with :data:`HEADER_IMPLAUSIBLE` appended (``"detected;
http-header-implausible"``), and the read statistics count them. Decoding never raises:
undecodable bytes become U+FFFD.
"""

from __future__ import annotations

import codecs
import re
from functools import lru_cache

import charset_normalizer

#: How far into the body to look for ``<meta charset>``; WHATWG looks at 1,024 bytes, but
#: real pages often put scripts and styles before the declaration.
META_PRESCAN_BYTES = 8 * 1024

#: How much of the body charset-normalizer sees; detection is slow, a prefix is enough.
DETECTION_PREFIX_BYTES = 32 * 1024

DEFAULT_CHARSET = "utf-8"

#: Appended to the charset source of a page whose HTTP charset was refused.
HEADER_IMPLAUSIBLE = ";http-header-implausible"
#: Share of U+FFFD and NUL characters in a decoding above which it is implausible (our
#: choice: a stray bad byte in a long page is common and keeps the declared charset).
MAX_BAD_CHARACTER_SHARE = 0.01

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels that browsers read as another encoding (WHATWG Encoding Standard, "labels").
_ALIASES = {
    **dict.fromkeys(
        ["iso-8859-1", "iso8859-1", "iso_8859-1", "latin1", "latin-1", "l1", "cp819",
         "ibm819", "us-ascii", "ascii", "ansi_x3.4-1968", "x-cp1252", "cp1252",
         "x-user-defined"], "windows-1252"),
    **dict.fromkeys(["iso-8859-9", "iso8859-9", "latin5", "l5"], "windows-1254"),
    **dict.fromkeys(["iso-8859-11", "tis-620", "dos-874"], "windows-874"),
    **dict.fromkeys(["gb2312", "gbk", "x-gbk", "chinese", "csgb2312", "gb_2312-80",
                     "iso-ir-58", "gb18030"], "gb18030"),
    **dict.fromkeys(["big5", "big5-hkscs", "x-x-big5", "cn-big5", "csbig5"], "big5hkscs"),
    **dict.fromkeys(["shift_jis", "shift-jis", "sjis", "x-sjis", "ms_kanji", "ms932",
                     "windows-31j", "csshiftjis"], "cp932"),
    **dict.fromkeys(["euc-kr", "ks_c_5601-1987", "ks_c_5601-1989", "korean",
                     "windows-949", "cseuckr"], "cp949"),
    **dict.fromkeys(["utf-16", "utf16"], "utf-16-le"),
    **dict.fromkeys(["iso-8859-8-i", "csiso88598i"], "iso-8859-8"),
    **dict.fromkeys(["macintosh", "mac", "x-mac-roman", "csmacintosh"], "mac-roman"),
    "x-mac-cyrillic": "mac-cyrillic",
}

# The encodings a web page may use (WHATWG); anything else (utf-7, rot13, base64 ...)
# is refused even when Python knows it.
_ACCEPTED_CODECS = frozenset(
    codecs.lookup(name).name
    for name in [
        "utf-8", "utf-16-le", "utf-16-be", "cp866", "iso-8859-2", "iso-8859-3",
        "iso-8859-4", "iso-8859-5", "iso-8859-6", "iso-8859-7", "iso-8859-8",
        "iso-8859-10", "iso-8859-13", "iso-8859-14", "iso-8859-15", "iso-8859-16",
        "koi8-r", "koi8-u", "mac-roman", "mac-cyrillic", "cp874", "cp1250", "cp1251",
        "cp1252", "cp1253", "cp1254", "cp1255", "cp1256", "cp1257", "cp1258",
        "gb18030", "gbk", "gb2312", "big5", "big5hkscs", "euc-jp", "iso2022-jp",
        "shift_jis", "cp932", "euc-kr", "cp949",
    ]
)

_CHARSET_PARAM = re.compile(r"""charset\s*=\s*["']?\s*([^\s"';,]+)""", re.IGNORECASE)
# Matches <meta charset=x> and <meta http-equiv=... content="text/html; charset=x">.
_META_CHARSET = re.compile(
    rb"""<meta\s[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]{1,40})""", re.IGNORECASE)


@lru_cache(maxsize=256)
def codec_for_label(label: str) -> str | None:
    """The Python codec for a charset label, or None when the label names no web encoding."""
    name = label.strip().strip("\"'").lower()
    name = _ALIASES.get(name, name)
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    return codec if codec in _ACCEPTED_CODECS else None


def charset_from_content_type(content_type: str | None) -> str | None:
    """The raw ``charset`` parameter of a Content-Type value, if any."""
    if not content_type:
        return None
    match = _CHARSET_PARAM.search(content_type)
    return match.group(1) if match else None


def _meta_codec(body: bytes) -> str | None:
    for match in _META_CHARSET.finditer(body, 0, META_PRESCAN_BYTES):
        codec = codec_for_label(match.group(1).decode("ascii"))
        if codec is not None:
            # A page whose <meta> we could read as ASCII is not UTF-16 (WHATWG rule).
            return "utf-8" if codec.startswith("utf-16") else codec
    return None


def _detected_codec(body: bytes) -> str | None:
    prefix = body[:DETECTION_PREFIX_BYTES]
    try:
        prefix.decode("utf-8")
        return "utf-8"  # valid UTF-8 is the best evidence there is, and cheap to check
    except UnicodeDecodeError as err:
        # A prefix cut inside a multi-byte character is still UTF-8.
        if err.start >= len(prefix) - 3 and len(body) > len(prefix):
            return "utf-8"
    matches = charset_normalizer.from_bytes(prefix)
    best = matches.best()
    if best is None:
        return None
    # Single-byte Latin encodings often tie on "chaos" (every byte decodes to a
    # plausible letter); windows-1252, the web's default legacy encoding (WHATWG, most
    # locales), wins such a tie rather than whichever the detector's language guess
    # favours (cp1250 turns "crêpe" into "crępe").
    if any(match.encoding == "cp1252" and match.chaos <= best.chaos for match in matches):
        return "cp1252"
    return codec_for_label(best.encoding)


def implausible(body: bytes, codec: str) -> bool:
    """Whether decoding ``body`` (without a byte-order mark) as ``codec`` cannot be right.

    UTF-16 markup has a NUL in every other byte of its ASCII tags, so UTF-16 over bytes
    without NULs (UTF-8 or a legacy encoding) is a lie; any codec is implausible when
    more than :data:`MAX_BAD_CHARACTER_SHARE` of the decoded start is U+FFFD or NUL.
    """
    prefix = body[:DETECTION_PREFIX_BYTES]
    if codec.startswith("utf-16") and b"\x00" not in prefix:
        return True
    text = prefix.decode(codec, "replace")
    if len(body) > len(prefix):
        text = text[:-2]  # the prefix may cut a multi-byte character
    bad = text.count("\ufffd") + text.count("\x00")
    return bad > MAX_BAD_CHARACTER_SHARE * max(len(text), 1)


def decode_html(body: bytes, http_content_type: str | None) -> tuple[str, str, str]:
    """Decode ``body``: returns (text, codec name, source of the choice).

    The source is one of "bom", "http-header", "meta", "detected", "default"; the
    last three followed by :data:`HEADER_IMPLAUSIBLE` when the HTTP charset was refused.
    """
    for bom, codec in _BOMS:
        if body.startswith(bom):
            return body[len(bom):].decode(codec, "replace"), codec, "bom"
    codec, source = codec_for_label(charset_from_content_type(http_content_type) or ""), \
        "http-header"
    refused = ""
    if codec is not None and implausible(body, codec):
        codec, refused = None, HEADER_IMPLAUSIBLE
    if codec is None:
        codec, source = _meta_codec(body), "meta"
    if codec is None:
        codec, source = _detected_codec(body), "detected"
    if codec is None:
        codec, source = DEFAULT_CHARSET, "default"
    return body.decode(codec, "replace"), codec, source + refused
