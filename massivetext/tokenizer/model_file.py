"""The tokenizer file: a SentencePiece model that also carries its provenance.

SentencePiece's ``ModelProto`` has no free-text field meant for users, but it declares
``extensions 200 to max``: field numbers from 200 up are reserved for exactly this, and
SentencePiece's parser skips fields it does not know. We append the provenance (UTF-8
JSON, sorted keys) as one length-delimited field, :data:`PROVENANCE_FIELD`, to the
serialized model. The result is still a plain ``.model`` file that any SentencePiece
build loads, and one file cannot drift apart from a sidecar. The field is written by
hand in protobuf's wire format (a varint tag, a varint length, the bytes), so reading
it needs neither ``protobuf`` nor generated code; docs/tokenizer.md describes the file.
"""

from __future__ import annotations

import json

# arXiv 2112.11446 (the Gopher paper): inside the extension range, unlikely to collide.
PROVENANCE_FIELD = 21121446
_LENGTH_DELIMITED = 2
_VARINT, _FIXED64, _FIXED32 = 0, 1, 5


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte, value = value & 0x7F, value >> 7
        out.append(byte | (0x80 if value else 0))
        if not value:
            return bytes(out)


def _read_varint(data: bytes, position: int) -> tuple[int, int]:
    value = shift = 0
    while True:
        if position >= len(data) or shift > 63:
            raise ValueError("truncated or malformed tokenizer file (bad varint)")
        byte = data[position]
        value |= (byte & 0x7F) << shift
        position, shift = position + 1, shift + 7
        if not byte & 0x80:
            return value, position


def _fields(data: bytes):
    """(field number, start, end) of each top-level field of a serialized message."""
    position = 0
    while position < len(data):
        start = position
        tag, position = _read_varint(data, position)
        wire_type = tag & 7
        if wire_type == _VARINT:
            _, position = _read_varint(data, position)
        elif wire_type == _FIXED64:
            position += 8
        elif wire_type == _FIXED32:
            position += 4
        elif wire_type == _LENGTH_DELIMITED:
            length, position = _read_varint(data, position)
            position += length
        else:
            raise ValueError(f"not a SentencePiece model (wire type {wire_type} at {start})")
        if position > len(data):
            raise ValueError("truncated tokenizer file")
        yield tag >> 3, start, position


def with_provenance(model: bytes, provenance: dict) -> bytes:
    """The serialized model with ``provenance`` as its provenance field (replacing one)."""
    body = split_provenance(model)[0]
    payload = json.dumps(provenance, sort_keys=True, ensure_ascii=False).encode("utf-8")
    tag = _varint(PROVENANCE_FIELD << 3 | _LENGTH_DELIMITED)
    return body + tag + _varint(len(payload)) + payload


def split_provenance(data: bytes) -> tuple[bytes, dict]:
    """(the model without the provenance field, the provenance or {} if it has none)."""
    body, provenance = bytearray(), {}
    for number, start, end in _fields(data):
        if number == PROVENANCE_FIELD:
            _, payload_start = _read_varint(data, _read_varint(data, start)[1])
            provenance = json.loads(data[payload_start:end].decode("utf-8"))
        else:
            body += data[start:end]
    return bytes(body), provenance
