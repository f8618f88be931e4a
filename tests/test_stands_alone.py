"""The repository stands alone: code, templates, migrations, translations, tests and the other files
of the product cite the law or give their reason, never a document or a tracker a reader of the
repository does not have (a domain reference, an architecture note, an issue number)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCANNED = (
    "caseapp",
    "templates",
    "migrations",
    "translations",
    "tests",
    "bench",
    "static",
    "deploy",
    ".ci",
    "config.py",
    "wsgi.py",
    "Makefile",
    "README.md",
)
TEXT_SUFFIXES = {
    "",
    ".py",
    ".html",
    ".po",
    ".txt",
    ".md",
    ".css",
    ".js",
    ".ini",
    ".mako",
    ".cfg",
    ".toml",
    ".yml",
    ".yaml",
    ".sh",
    ".service",
    ".conf",
    ".json",
    ".csv",
    ".sql",
}
# Built from pieces so that this file does not find itself.
OUTSIDE_REFERENCES = re.compile(
    "|".join((r"DOMAIN" + r"\.md", r"ARCHITECTURE" + r"\.md", r"\.\./" + r"shared", r"\b[Ii]ssues? (?:item )?[0-9]"))
)


def _files(root, paths):
    for name in paths:
        path = root / name
        candidates = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for candidate in candidates:
            if candidate.suffix in TEXT_SUFFIXES and "__pycache__" not in candidate.parts:
                yield candidate


def outside_references(root=ROOT, paths=SCANNED):
    """'path:line: text' of every line that cites an outside document or an issue number."""
    hits = []
    for path in _files(root, paths):
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(lines, 1):
            if OUTSIDE_REFERENCES.search(line):
                hits.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return hits


def test_no_file_cites_an_internal_document_or_an_issue_number():
    hits = outside_references()
    assert not hits, (
        f"{len(hits)} line(s) cite a document or an issue a reader of the repository does not "
        "have; cite the law or say why instead:\n" + "\n".join(hits)
    )


def test_the_scan_finds_each_kind_of_reference(tmp_path):
    sample = tmp_path / "sample.py"
    issue, Issue = "iss" + "ue", "Iss" + "ue"
    cited = [
        "# see " + "DOMAIN" + ".md §4",
        "# see " + "ARCHITECTURE" + ".md",
        "# ../" + "shared/docs",
        f"# ({issue} 4 §9)",
        f"# {Issue} 5 §1: remind",
        f"# ({issue} item 7)",
    ]
    sample.write_text(
        "\n".join(["x = 1  # the issue of a reminder", *cited, "# Điều 26, khoản 3"]) + "\n", encoding="utf-8"
    )
    found = outside_references(tmp_path, ["sample.py"])
    assert [hit.split(":", 2)[1] for hit in found] == ["2", "3", "4", "5", "6", "7"]
