"""Every kind of event the code records has a Vietnamese name in the audit log (audit.labels), read from
the code itself: a new `record("something_done", …)` without a row in EVENT_KINDS fails here."""

import ast
from pathlib import Path

from caseapp.audit.labels import EVENT_KINDS, describe, kind_label, record_label
from caseapp.audit.services import SECURITY_ACTIONS
from caseapp.referrals.models import ReferralStatus

PACKAGE = Path(__file__).resolve().parents[2] / "caseapp"
RECORDERS = {"record", "record_security_event"}
# Kinds built from a value: the f-string's source → every kind it can make.
BUILT_KINDS = {"f'referral_{to_status}'": {f"referral_{status}" for status in ReferralStatus}}


def _function_name(call: ast.Call) -> str | None:
    func = call.func
    return func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else None


def _strings(node: ast.expr) -> set[str] | None:
    """The kinds an expression can be: a literal, either branch of `a if c else b`; None otherwise."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        body, orelse = _strings(node.body), _strings(node.orelse)
        return body | orelse if body is not None and orelse is not None else None
    return None


def _argument(call: ast.Call, index: int, name: str) -> ast.expr | None:
    if index < len(call.args):
        return call.args[index]
    return next((keyword.value for keyword in call.keywords if keyword.arg == name), None)


class KindsInModule(ast.NodeVisitor):
    """The kinds a module records: the literal first argument of record()/record_security_event(), or —
    when that argument is a parameter of the enclosing function (`def _audit(action, …)`) — the literals
    that the module's calls of that function pass for it."""

    def __init__(self, tree: ast.Module, where: str):
        self.tree, self.where = tree, where
        self.kinds: set[str] = set()
        self.unknown: list[str] = []
        self.functions: list[ast.FunctionDef] = []

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        self.functions.append(node)
        self.generic_visit(node)
        self.functions.pop()

    def visit_Call(self, node: ast.Call) -> None:
        if _function_name(node) in RECORDERS and node.args:
            self._collect(node.args[0], node.lineno)
        self.generic_visit(node)

    def _collect(self, argument: ast.expr, line: int) -> None:
        source = ast.unparse(argument)
        found = _strings(argument)
        if found is None and source in BUILT_KINDS:
            found = BUILT_KINDS[source]
        if found is None and isinstance(argument, ast.Name) and self.functions:
            found = self._passed_for(self.functions[-1], argument.id)
        if found is None:
            self.unknown.append(f"{self.where}:{line}: {source}")
        else:
            self.kinds |= found

    def _passed_for(self, function: ast.FunctionDef, parameter: str) -> set[str] | None:
        names = [arg.arg for arg in function.args.args]
        if parameter not in names:
            return None
        index = names.index(parameter)
        calls = [
            node for node in ast.walk(self.tree) if isinstance(node, ast.Call) and _function_name(node) == function.name
        ]
        kinds: set[str] = set()
        for call in calls:
            argument = _argument(call, index, parameter)
            found = _strings(argument) if argument is not None else None
            if found is None:
                return None
            kinds |= found
        return kinds or None


def recorded_kinds() -> tuple[set[str], list[str]]:
    kinds, unknown = set(SECURITY_ACTIONS), []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.parent.name == "audit":
            continue  # the trail's own module: record() itself, and its parameter `action`
        tree = ast.parse(path.read_text(encoding="utf-8"))
        visitor = KindsInModule(tree, str(path.relative_to(PACKAGE.parent)))
        visitor.visit(tree)
        kinds |= visitor.kinds
        unknown += visitor.unknown
    return kinds, unknown


def test_every_kind_of_event_the_code_records_has_a_name_in_the_audit_log():
    kinds, unknown = recorded_kinds()
    assert not unknown, (
        "kinds of audit event this test cannot read from the code (pass a literal, or add the call to "
        f"BUILT_KINDS): {unknown}"
    )
    assert len(kinds) > 100  # the reader found the code's calls
    missing = sorted(kinds - EVENT_KINDS.keys())
    assert not missing, f"kinds of audit event without a row in caseapp/audit/labels.py EVENT_KINDS: {missing}"


def test_kinds_built_from_a_value_are_found():
    kinds, _ = recorded_kinds()
    assert {"referral_accepted", "report_deadline_stopped", "commune_group_changed", "bed_deactivated"} <= kinds


def test_kinds_and_records_are_named_in_vietnamese(app):
    with app.test_request_context():
        assert kind_label("login_ok") == "Đăng nhập thành công"
        assert kind_label("case_viewed") == "Xem hồ sơ"
        assert record_label("cases") == "Hồ sơ"
        assert kind_label("an_old_kind") == "an_old_kind"  # an event of an older version keeps its code


def test_details_are_written_as_a_sentence(app):
    with app.test_request_context():
        assert describe("case_status_changed", {"from": "intake", "to": "open", "via": "manual"}) == (
            "Từ intake sang open. Qua: manual."
        )
        assert describe("plan_viewed", {"case_id": 12, "version_no": 2}) == "Hồ sơ 12, phiên bản 2."
        assert describe("user_updated", {"role": "supervisor", "active": False}) == (
            "Vai trò: supervisor. Đang hoạt động: Không."
        )


def test_a_sentence_never_shows_more_than_the_details_hold(app):
    """Ids of many people are counted, not listed; unnamed details (hashes, nested data) stay out."""
    with app.test_request_context():
        sentence = describe("clients_listed", {"page": "clients.index", "client_ids": [4, 8, 15]})
        assert sentence == "Trang: clients.index. Số đối tượng: 3."
        assert describe("attachment_downloaded", {"case_id": 3, "sha256": "ab12"}) == "Hồ sơ: 3."
        assert describe("case_note_added", None) == ""
