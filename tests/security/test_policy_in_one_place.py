"""Every permission decision goes through caseapp/security/: no comparison of a user's role or facility,
no list of roles, anywhere else in the code or the templates (the models may compare their own
columns). A scan of the source, so a new one fails here, naming its place."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PERSON = r"(?:user|by|current_user|viewer|worker|to_worker|with_user|person)"
CODE_PATTERNS = {
    "a role compared": re.compile(
        rf"\b{PERSON}\.role\s*(?:==|!=|\bin\b|\bnot in\b)|(?:==|!=)\s*{PERSON}\.role\b"
        r"|\bUser\.role\s*(?:==|!=)|\.role\.in_\("
    ),
    "a role made from a user's value": re.compile(r"\bRole\((?!\))"),
    "a list of roles": re.compile(r"^\s*\w*_ROLES\s*=", re.MULTILINE),
    "a facility compared with the user's": re.compile(
        rf"\b{PERSON}\.facility_id\s*(?:==|!=)|(?:==|!=)\s*{PERSON}\.facility_id\b"
    ),
}
TEMPLATE_PATTERN = re.compile(r"current_user\.(?:role|facility_id)\b")


def outside_security():
    for path in sorted((ROOT / "caseapp").rglob("*.py")):
        relative = path.relative_to(ROOT)
        if relative.parts[1] == "security" or path.name == "models.py":
            continue
        yield relative, path.read_text(encoding="utf-8")


def hits(text, pattern):
    return [text.count("\n", 0, match.start()) + 1 for match in pattern.finditer(text)]


def test_no_permission_decision_outside_the_security_package():
    found = [
        f"{relative}:{line}: {what}"
        for relative, text in outside_security()
        for what, pattern in CODE_PATTERNS.items()
        for line in hits(text, pattern)
    ]
    assert found == []


def test_templates_ask_can_instead_of_reading_the_users_role_or_facility():
    found = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in sorted((ROOT / "templates").rglob("*.html"))
        for line in hits(path.read_text(encoding="utf-8"), TEMPLATE_PATTERN)
    ]
    assert found == []


def test_the_scan_finds_what_it_looks_for():
    samples = {
        "a role compared": 'if user.role == "admin":',
        "a role made from a user's value": "if Role(user.role) in ALL:",
        "a list of roles": "WORKER_ROLES = (Role.SOCIAL_WORKER.value,)",
        "a facility compared with the user's": "if case.facility_id != by.facility_id:",
    }
    for what, sample in samples.items():
        assert hits(sample, CODE_PATTERNS[what]) == [1], what
    assert hits('{% if current_user.role != "admin" %}', TEMPLATE_PATTERN) == [1]
