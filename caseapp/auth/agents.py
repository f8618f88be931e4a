"""The browser and system a session began from, told from its User-Agent header in a few words
("Chrome trên Android") for the user's sessions page. A guess from what the browser claims, good
enough to recognise one's own phone or laptop; never used to decide anything."""

import re

from flask_babel import gettext as _

# First match wins: Edge, Opera, Cốc Cốc and Samsung Internet also claim to be Chrome and Safari.
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(e|A|iOS)?/")),
    ("Opera", re.compile(r"\b(OPR|Opera)/")),
    ("Cốc Cốc", re.compile(r"\bcoc_coc_browser/", re.IGNORECASE)),
    ("Zalo", re.compile(r"\bZalo", re.IGNORECASE)),
    ("Samsung Internet", re.compile(r"\bSamsungBrowser/")),
    ("Firefox", re.compile(r"\b(Firefox|FxiOS)/")),
    ("Chrome", re.compile(r"\b(Chrome|CriOS|Chromium)/")),
    ("Safari", re.compile(r"\bVersion/[\d.]+.*Safari/")),
)
_SYSTEMS = (
    ("Android", re.compile(r"\bAndroid\b")),
    ("iOS", re.compile(r"\b(iPhone|iPad|iPod)\b")),
    ("Windows", re.compile(r"\bWindows\b")),
    ("ChromeOS", re.compile(r"\bCrOS\b")),
    ("macOS", re.compile(r"\bMac OS X\b")),
    ("Linux", re.compile(r"\bLinux\b")),
)


def _first(table, text: str) -> str | None:
    return next((name for name, pattern in table if pattern.search(text)), None)


def describe_agent(user_agent: str | None) -> str:
    """The browser and system ("Chrome on Android"), one of them, or "Unknown browser"."""
    text = user_agent or ""
    browser, system = _first(_BROWSERS, text), _first(_SYSTEMS, text)
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")
