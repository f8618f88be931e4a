"""The arithmetic of two-step sign-in, without the database: TOTP codes (RFC 6238: HMAC-SHA1, 30-second
steps, 6 digits, the step before and after accepted for a phone's clock drift), the secret encrypted at
rest, the QR code an authenticator app scans, and recovery codes."""

import base64
import hmac
import os
import secrets
from datetime import datetime
from functools import cache

import pyotp
import segno
from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from markupsafe import Markup

STEP_SECONDS = 30
DIGITS = 6
WINDOW = 1  # steps either side of now: a code stays usable while the phone's clock is up to 30 s off
ISSUER = "caseapp"  # the name the authenticator app shows above the code
RECOVERY_CODE_COUNT = 10
# 10 characters of base32 (A–Z, 2–7): 50 random bits a code, far above the 20 OWASP ASVS 5.0 V6.5.4 asks
RECOVERY_CODE_LENGTH = 10
_RECOVERY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_CIPHER_VERSION = "v1"


class SecretUnreadable(Exception):
    """The stored secret does not decrypt: SECRET_KEY changed since the enrolment (or the row was
    tampered with). The user cannot pass the second step until an administrator resets it."""


def new_secret() -> str:
    """160 random bits (RFC 4226 §4's recommended length) from the OS's CSPRNG, in base32."""
    return pyotp.random_base32(length=32)


def step_at(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def code_at_step(secret: str, step: int) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).generate_otp(step)


def matching_step(secret: str, code: str, moment: datetime) -> int | None:
    """The time-step whose code this is, within the window around `moment` (the server's clock, never
    the client's), or None. Every step of the window is compared, in constant time."""
    now = step_at(moment)
    found = None
    for step in range(now - WINDOW, now + WINDOW + 1):
        if hmac.compare_digest(code_at_step(secret, step), code) and found is None:
            found = step
    return found


def looks_like_a_code(text: str) -> bool:
    return len(text) == DIGITS and text.isascii() and text.isdigit()


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(name=username, issuer_name=ISSUER)


def qr_svg(uri: str, title: str) -> Markup:
    """The QR code as inline SVG markup: paths and presentation attributes only — no script, no style
    attribute, no data: URI — so the page's Content-Security-Policy allows it as it is."""
    svg = segno.make(uri, error="m").svg_inline(
        scale=4, border=4, dark="#000", light="#fff", title=title, svgclass="qr"
    )
    return Markup(svg)  # made by segno from our own URI and title: no markup of anyone else in it


def grouped(secret: str) -> str:
    """The secret in groups of four, easier to type into an app by hand."""
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


# --- the secret at rest -----------------------------------------------------------------------------
# Whoever holds the TOTP secret makes valid codes, so a copy of the database (a backup, a dump, a
# stolen disk) must not hand over the second factor with it. The secret is encrypted (AES-256-GCM) with
# a key derived (HKDF-SHA256) from the app's SECRET_KEY, which lives outside the database (environment or
# instance/secret_key): the database alone reveals nothing. The user's id is bound in as associated data,
# so a ciphertext copied onto another account's row does not decrypt. Changing SECRET_KEY makes every
# stored secret unreadable: those users need an administrator's reset and enrol again.


@cache
def _cipher(secret_key: str) -> AESGCM:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"caseapp TOTP secrets at rest v1").derive(
        secret_key.encode()
    )
    return AESGCM(key)


def _bound_to(user_id: int) -> bytes:
    return f"totp:{user_id}".encode()


def encrypt_secret(secret: str, *, user_id: int, secret_key: str) -> str:
    nonce = os.urandom(12)
    sealed = _cipher(secret_key).encrypt(nonce, secret.encode(), _bound_to(user_id))
    return f"{_CIPHER_VERSION}:{base64.urlsafe_b64encode(nonce + sealed).decode()}"


def decrypt_secret(stored: str, *, user_id: int, secret_key: str) -> str:
    version, _, payload = stored.partition(":")
    if version != _CIPHER_VERSION:
        raise SecretUnreadable(version)
    raw = base64.urlsafe_b64decode(payload.encode())
    try:
        return _cipher(secret_key).decrypt(raw[:12], raw[12:], _bound_to(user_id)).decode()
    except InvalidTag as error:
        raise SecretUnreadable("the secret does not decrypt with this SECRET_KEY") from error


# --- recovery codes ---------------------------------------------------------------------------------


def new_recovery_codes() -> list[str]:
    return [
        "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(RECOVERY_CODE_LENGTH))
        for _ in range(RECOVERY_CODE_COUNT)
    ]


def shown(code: str) -> str:
    """A recovery code as the user reads it: two groups of five (ABCDE-FGHIJ)."""
    half = RECOVERY_CODE_LENGTH // 2
    return f"{code[:half]}-{code[half:]}"


def normalise_recovery_code(text: str) -> str:
    """What the user typed, as stored: capitals, without spaces or dashes."""
    return "".join(ch for ch in (text or "").upper() if ch not in " -\t")
