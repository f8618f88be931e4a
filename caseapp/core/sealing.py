"""Stored files encrypted at rest (OWASP ASVS 5.0 V11.3, V14.2): case documents and report files are
kept in the file store (core.storage) sealed with AES-256-GCM (NIST SP 800-38D), under keys that come
from the environment and never from the database.

The keys: ATTACHMENT_KEYS="id:base64,id:base64" (each key 32 random bytes) and ATTACHMENT_KEY_ID, the
one new files are sealed with (optional when there is one key). Every file's row records the id of its
key (NULL: a file stored in clear before encryption, read as it is); an older key stays listed until
`flask attachments rotate-key` has sealed its files again with the current one.

A sealed file is MAGIC, a random 96-bit nonce of its own, then its content cut into segments of
SEGMENT_BYTES, each sealed on its own (so that a 10 MB document is never held whole in memory):
segment i uses the file's nonce XOR i, and its associated data names the format, the bucket, the file's
storage key, the key id, i, and whether it is the last segment. A segment cannot be moved, dropped or
cut short, and a whole file cannot be swapped for another's (another storage key or key id) without
the tag failing (the STREAM construction: Hoang, Reyhanitabar, Rogaway, Vizár, CRYPTO 2015). With
random nonces a key must seal fewer than 2^32 segments (SP 800-38D §8.3): over 400 million documents of
10 MB; rotating to a new key starts the count again.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import struct
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from flask import Flask, current_app

from .storage import CHUNK_BYTES, Digest, Store, Written, as_chunks, files, rechunk

MAGIC = b"CAE\x01"
NONCE_BYTES = 12
TAG_BYTES = 16
KEY_BYTES = 32
SEGMENT_BYTES = CHUNK_BYTES
HEADER_BYTES = len(MAGIC) + NONCE_BYTES
KEY_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
PLACEHOLDER = "change-me"


class KeyringError(Exception):
    """ATTACHMENT_KEYS / ATTACHMENT_KEY_ID are missing or malformed; the message says what to fix."""


class UnreadableFile(Exception):
    """A stored file that fails its authentication: altered, cut short, another file's, or sealed with a
    key this installation does not have. Its content is never handed over. The message (Vietnamese: the
    operator reads it in the audit trail and the commands' output) says which."""


@dataclass(frozen=True)
class Keyring:
    keys: dict[str, bytes] = field(repr=False)  # never in a log line or a traceback
    current_id: str = ""

    def key(self, key_id: str) -> bytes:
        try:
            return self.keys[key_id]
        except KeyError:
            raise UnreadableFile(f"khóa «{key_id}» không có trong ATTACHMENT_KEYS") from None


def parse_keyring(keys: str | None, current_id: str | None) -> Keyring:
    """The keyring of ATTACHMENT_KEYS and ATTACHMENT_KEY_ID, every key checked."""
    keys = (keys or "").strip()
    if not keys:
        raise KeyringError("ATTACHMENT_KEYS chưa được đặt.")
    if PLACEHOLDER in keys:
        raise KeyringError(
            "ATTACHMENT_KEYS vẫn là giá trị mẫu của deploy/caseapp.env.example: tạo một khóa ngẫu nhiên."
        )
    parsed: dict[str, bytes] = {}
    for entry in filter(None, (part.strip() for part in keys.split(","))):
        key_id, _colon, encoded = entry.partition(":")
        key_id = key_id.strip()
        if not KEY_ID.fullmatch(key_id):
            raise KeyringError(
                f"ATTACHMENT_KEYS: «{key_id[:40]}» không phải mã khóa hợp lệ (1–32 chữ, số, - hoặc _, rồi «:»)."
            )
        if key_id in parsed:
            raise KeyringError(f"ATTACHMENT_KEYS: khóa «{key_id}» có hai lần.")
        parsed[key_id] = _decoded_key(key_id, encoded.strip())
    current_id = (current_id or "").strip() or (next(iter(parsed)) if len(parsed) == 1 else "")
    if not current_id:
        raise KeyringError("ATTACHMENT_KEYS có nhiều khóa: đặt ATTACHMENT_KEY_ID là mã của khóa dùng cho tệp mới.")
    if current_id not in parsed:
        raise KeyringError(f"ATTACHMENT_KEY_ID «{current_id}» không có trong ATTACHMENT_KEYS ({', '.join(parsed)}).")
    return Keyring(keys=parsed, current_id=current_id)


def _decoded_key(key_id: str, encoded: str) -> bytes:
    try:
        key = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        key = b""
    if len(key) != KEY_BYTES:
        raise KeyringError(
            f"ATTACHMENT_KEYS: khóa «{key_id}» phải là {KEY_BYTES} byte ngẫu nhiên viết bằng base64 "
            '(python3 -c "import os,base64;print(base64.b64encode(os.urandom(32)).decode())").'
        )
    return key


def keyring(app: Flask | None = None) -> Keyring:
    """The installation's keyring (read from its configuration at each use: a few base64 decodings)."""
    config = (app or current_app).config
    return parse_keyring(config.get("ATTACHMENT_KEYS"), config.get("ATTACHMENT_KEY_ID"))


# --- the format -------------------------------------------------------------------------------------------


def _associated_data(bucket: str, storage_key: str, key_id: str, index: int, last: bool) -> bytes:
    named = b"".join(
        struct.pack(">H", len(part)) + part for part in (MAGIC, *(s.encode() for s in (bucket, storage_key, key_id)))
    )
    return named + struct.pack(">Q?", index, last)


def _nonce(file_nonce: bytes, index: int) -> bytes:
    return (int.from_bytes(file_nonce, "big") ^ index).to_bytes(NONCE_BYTES, "big")


def sealed_size(size: int) -> int:
    """How many bytes a file of `size` bytes takes once sealed."""
    segments = max(1, -(-size // SEGMENT_BYTES))
    return HEADER_BYTES + size + segments * TAG_BYTES


def seal(chunks: Iterable[bytes], *, bucket: str, storage_key: str, key_id: str, key: bytes) -> Iterator[bytes]:
    """The sealed file of the plaintext `chunks`, one segment at a time."""
    aead, file_nonce = AESGCM(key), os.urandom(NONCE_BYTES)
    yield MAGIC + file_nonce
    index, held = 0, None
    for segment in rechunk(chunks, SEGMENT_BYTES):
        if held is not None:
            yield aead.encrypt(
                _nonce(file_nonce, index), held, _associated_data(bucket, storage_key, key_id, index, False)
            )
            index += 1
        held = segment
    # The last segment (an empty file has one, empty): marked last, so that cutting a file short fails.
    yield aead.encrypt(
        _nonce(file_nonce, index), held or b"", _associated_data(bucket, storage_key, key_id, index, True)
    )


def unseal(chunks: Iterable[bytes], *, bucket: str, storage_key: str, key_id: str, key: bytes) -> Iterator[bytes]:
    """The plaintext of a sealed file, one authenticated segment at a time; UnreadableFile at the first
    segment that fails (what came before it was authentic)."""
    aead, pending, file_nonce, index = AESGCM(key), bytearray(), None, 0
    sealed_segment = SEGMENT_BYTES + TAG_BYTES
    for chunk in chunks:
        pending += chunk
        if file_nonce is None:
            if len(pending) < HEADER_BYTES:
                continue
            file_nonce = _header_nonce(bytes(pending[:HEADER_BYTES]))
            del pending[:HEADER_BYTES]
        while len(pending) > sealed_segment:  # a full segment with more after it: not the last
            yield _open(aead, file_nonce, bytes(pending[:sealed_segment]), bucket, storage_key, key_id, index, False)
            del pending[:sealed_segment]
            index += 1
    if file_nonce is None:
        raise UnreadableFile("tệp ngắn hơn phần đầu của tệp mã hóa")
    yield _open(aead, file_nonce, bytes(pending), bucket, storage_key, key_id, index, True)


def _header_nonce(header: bytes) -> bytes:
    if not header.startswith(MAGIC):
        raise UnreadableFile("không phải tệp đã mã hóa")
    return header[len(MAGIC) :]


def _open(
    aead: AESGCM, file_nonce: bytes, sealed: bytes, bucket: str, storage_key: str, key_id: str, index: int, last: bool
) -> bytes:
    try:
        return aead.decrypt(
            _nonce(file_nonce, index), sealed, _associated_data(bucket, storage_key, key_id, index, last)
        )
    except InvalidTag:
        raise UnreadableFile(f"đoạn {index} không xác thực được: tệp bị sửa, bị cắt, hoặc là tệp khác") from None


# --- a store whose files are sealed ---------------------------------------------------------------------


@dataclass(frozen=True)
class Sealed:
    """What SealedStore.put wrote: the plaintext's size and SHA-256, and the id of the key it used."""

    written: Written
    key_id: str


@dataclass(frozen=True)
class SealedStore:
    """One bucket of the file store, its files sealed with the installation's current key. A file is read
    with the key id its row recorded; None reads a file stored in clear before encryption."""

    store: Store
    bucket: str
    keyring: Keyring

    def put(self, storage_key: str, content: bytes | Iterable[bytes]) -> Sealed:
        key_id = self.keyring.current_id
        plain = Digest(as_chunks(content))
        self.store.put(
            storage_key,
            seal(plain, bucket=self.bucket, storage_key=storage_key, key_id=key_id, key=self.keyring.key(key_id)),
        )
        return Sealed(written=plain.written(), key_id=key_id)

    def chunks(self, storage_key: str, key_id: str | None) -> Iterator[bytes]:
        """The plaintext, decrypted as it is read: UnreadableFile may come after some authentic chunks
        (see opened() for a file checked whole before its first byte)."""
        raw = self.store.chunks(storage_key)
        if key_id is None:
            return raw
        return unseal(raw, bucket=self.bucket, storage_key=storage_key, key_id=key_id, key=self.keyring.key(key_id))

    def opened(self, storage_key: str, key_id: str | None) -> Iterator[bytes]:
        """The plaintext, every segment authenticated before the first byte is handed over — a response
        that has started cannot turn into an error page. A file of one segment is kept from the check;
        a longer one is read twice, holding one segment at a time."""
        if key_id is None:
            return self.store.chunks(storage_key)
        segments, first = 0, b""
        for piece in self.chunks(storage_key, key_id):  # one piece per segment
            segments += 1
            first = piece if segments == 1 else b""
        if segments == 1:
            return iter([first])
        return self.chunks(storage_key, key_id)

    def read(self, storage_key: str, key_id: str | None) -> bytes:
        """A whole small file (report files), authenticated."""
        return b"".join(self.chunks(storage_key, key_id))

    def sha256(self, storage_key: str, key_id: str | None) -> str:
        """The SHA-256 of the plaintext (checks against the recorded one), read a chunk at a time."""
        digest = hashlib.sha256()
        for chunk in self.chunks(storage_key, key_id):
            digest.update(chunk)
        return digest.hexdigest()

    def exists(self, storage_key: str) -> bool:
        return self.store.exists(storage_key)

    def delete(self, storage_key: str) -> None:
        self.store.delete(storage_key)


def sealed_files(bucket: str, store: Store | None = None) -> SealedStore:
    """The installation's store of one bucket (or `store`, e.g. a given disk or database store), sealed."""
    return SealedStore(store=store if store is not None else files(bucket), bucket=bucket, keyring=keyring())


__all__ = [
    "Keyring",
    "KeyringError",
    "UnreadableFile",
    "Sealed",
    "SealedStore",
    "keyring",
    "parse_keyring",
    "seal",
    "unseal",
    "sealed_size",
    "sealed_files",
    "SEGMENT_BYTES",
]
