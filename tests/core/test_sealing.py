"""The sealed file format (core.sealing) and its keys: any content in any chunking comes back as it was;
any change — a flipped bit, segments reordered, dropped or cut, another storage key, bucket or key id —
fails authentication; keys come from ATTACHMENT_KEYS (32 bytes each, the current id among them) or are
generated once into instance/ with mode 0600, like the secret key."""

import base64
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import config
from caseapp.core import sealing
from caseapp.core.sealing import KeyringError, UnreadableFile, parse_keyring

KEY = os.urandom(32)
WHERE = {"bucket": "attachments", "storage_key": "a" * 64, "key_id": "k2026"}
SMALL_SEGMENT = 64  # many segments from a few hundred bytes


def encoded(key=KEY):
    return base64.b64encode(key).decode()


def sealed(data, chunk=1000, **where):
    pieces = [data[i : i + chunk] for i in range(0, len(data), chunk)] or [b""]
    return b"".join(sealing.seal(pieces, key=KEY, **{**WHERE, **where}))


def opened(raw, chunk=1000, **where):
    pieces = [raw[i : i + chunk] for i in range(0, len(raw), chunk)]
    return b"".join(sealing.unseal(pieces, key=KEY, **{**WHERE, **where}))


@pytest.fixture()
def small_segments(monkeypatch):
    monkeypatch.setattr(sealing, "SEGMENT_BYTES", SMALL_SEGMENT)


@settings(max_examples=60, deadline=None, database=None)
@given(data=st.binary(max_size=700), write_chunk=st.integers(1, 300), read_chunk=st.integers(1, 300))
def test_any_content_in_any_chunking_comes_back_as_it_was(data, write_chunk, read_chunk):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sealing, "SEGMENT_BYTES", SMALL_SEGMENT)
        raw = sealed(data, chunk=write_chunk)
        assert len(raw) == sealing.sealed_size(len(data))
        assert opened(raw, chunk=read_chunk) == data


@settings(max_examples=60, deadline=None, database=None)
@given(data=st.binary(min_size=1, max_size=400), where=st.data())
def test_any_flipped_bit_fails_authentication(data, where):
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(sealing, "SEGMENT_BYTES", SMALL_SEGMENT)
        raw = bytearray(sealed(data))
        position = where.draw(st.integers(0, len(raw) - 1))
        raw[position] ^= 1 << where.draw(st.integers(0, 7))
        with pytest.raises(UnreadableFile):
            opened(bytes(raw))


def test_segments_reordered_dropped_or_cut_fail_authentication(small_segments):
    raw = sealed(os.urandom(5 * SMALL_SEGMENT))
    header, step = 16, SMALL_SEGMENT + 16
    segments = [raw[i : i + step] for i in range(header, len(raw), step)]
    assert len(segments) == 5
    for broken in (
        raw[:header] + segments[1] + segments[0] + b"".join(segments[2:]),  # reordered
        raw[:header] + b"".join(segments[:2] + segments[3:]),  # one dropped
        raw[:header] + b"".join(segments[:4]),  # the last dropped: the new last is not marked last
        raw[:-1],  # cut by one byte
        raw[:10],  # not even a header
    ):
        with pytest.raises(UnreadableFile):
            opened(broken)


@pytest.mark.parametrize(
    "elsewhere",
    [{"storage_key": "b" * 64}, {"bucket": "exports"}, {"key_id": "k2027"}],
    ids=["another-storage-key", "another-bucket", "another-key-id"],
)
def test_a_file_read_as_another_fails_authentication(elsewhere):
    raw = sealed(b"%PDF-1.7 bien ban")
    with pytest.raises(UnreadableFile):
        opened(raw, **elsewhere)


def test_each_file_is_sealed_with_a_nonce_of_its_own():
    first, second = sealed(b"the same content"), sealed(b"the same content")
    assert first[4:16] != second[4:16] and first != second


def test_a_file_in_clear_is_not_taken_for_a_sealed_one():
    with pytest.raises(UnreadableFile, match="không phải tệp đã mã hóa"):
        opened(b"%PDF-1.7 a document stored before encryption")


# --- keys ---------------------------------------------------------------------------------------------------


def test_one_key_is_current_without_an_id():
    ring = parse_keyring(f"k2026:{encoded()}", None)
    assert ring.current_id == "k2026" and ring.keys == {"k2026": KEY}


def test_several_keys_and_the_current_id():
    other = os.urandom(32)
    ring = parse_keyring(f"k2026:{encoded()}, k2027:{encoded(other)}", "k2027")
    assert ring.keys == {"k2026": KEY, "k2027": other} and ring.current_id == "k2027"


@pytest.mark.parametrize(
    "keys, current, message",
    [
        ("", None, "ATTACHMENT_KEYS chưa được đặt"),
        (f"k1:{encoded(os.urandom(16))}", None, "phải là 32 byte"),
        ("k1:khong-phai-base64!!", None, "phải là 32 byte"),
        (f"k 1:{encoded()}", None, "không phải mã khóa hợp lệ"),
        (f"k1:{encoded()},k1:{encoded()}", "k1", "có hai lần"),
        (f"k1:{encoded()},k2:{encoded()}", None, "đặt ATTACHMENT_KEY_ID"),
        (f"k1:{encoded()}", "k9", "ATTACHMENT_KEY_ID «k9» không có trong ATTACHMENT_KEYS"),
        ("k2026:change-me-to-32-random-bytes-in-base64", None, "giá trị mẫu"),
    ],
    ids=["unset", "16-bytes", "not-base64", "bad-id", "twice", "no-current-id", "unknown-current-id", "placeholder"],
)
def test_a_bad_keyring_is_refused_with_what_to_fix(keys, current, message):
    with pytest.raises(KeyringError, match=message):
        parse_keyring(keys, current)


def test_keys_from_the_environment_win(monkeypatch, tmp_path):
    monkeypatch.setenv("ATTACHMENT_KEYS", f"k2026:{encoded()}")
    monkeypatch.setenv("ATTACHMENT_KEY_ID", "k2026")
    assert config.load_or_create_attachment_keys(tmp_path / "instance") == (f"k2026:{encoded()}", "k2026")
    assert not (tmp_path / "instance" / "attachment_keys").exists()


def test_without_the_environment_one_key_is_generated_once_into_instance_with_mode_0600(monkeypatch, tmp_path):
    monkeypatch.delenv("ATTACHMENT_KEYS", raising=False)
    monkeypatch.delenv("ATTACHMENT_KEY_ID", raising=False)
    instance = tmp_path / "instance"

    keys, current = config.load_or_create_attachment_keys(instance)

    assert (instance / "attachment_keys").stat().st_mode & 0o777 == 0o600
    ring = parse_keyring(keys, current)
    assert ring.current_id == "local" and len(ring.keys["local"]) == 32
    assert config.load_or_create_attachment_keys(instance) == (keys, current)  # stable across restarts
    assert config.load_or_create_attachment_keys(tmp_path / "other")[0] != keys  # one per installation
