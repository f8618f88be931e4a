"""URL helpers."""

from urllib.parse import urlsplit


def safe_next(target: object) -> str | None:
    """Only a local path may be a redirect target (no scheme, no host, no '//' or '\\' tricks)."""
    if not target or not isinstance(target, str):
        return None
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
