"""What routes use: @requires (every endpoint declares a permission, or is public), deny (403, audited),
load_case / load_or_404 / load_in_scope_or_404 (load and authorise in one step: a record outside the
user's reach answers 404, never 403, so its existence does not leak), and the default deny."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import wraps
from typing import TYPE_CHECKING, Any, NoReturn, TypeVar

import sqlalchemy as sa
from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..audit.services import record_security_event
from ..cases.models import Case
from ..core.services import ServiceError
from ..core.transaction import keep_only
from ..core.urls import return_path
from ..extensions import db
from .policy import Perm, has_perm
from .rules import can, can_edit_case, in_scope
from .scopes import case_scope

if TYPE_CHECKING:  # for annotations only
    from flask import Flask
    from werkzeug.wrappers import Response

    from ..auth.models import User
    from ..cases.models import Case

View = TypeVar("View", bound=Callable[..., Any])
Model = TypeVar("Model")

PUBLIC_ENDPOINTS = frozenset(
    {
        "static",
        "auth.login",
        "auth.second_factor",  # the code after the password: no session exists before it is given
        "main.healthz",
        "main.status",
        "main.set_language",
    }
)


class CaseNotOpen(ServiceError):
    """A write on a closed (or transferred-away) case: the user is sent back to the case page with
    the message, and nothing of the request is kept."""

    def __init__(self, case: Case, back_to: str | None = None) -> None:
        super().__init__(_l("This case is closed and read-only. Reopen it to make changes."))
        self.case_id, self.back_to = case.id, back_to


def requires(perm: Perm) -> Callable[[View], View]:
    """Declare the permission an endpoint needs; refuse (403, audited) without it."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not has_perm(current_user, perm):
                deny(perm.value)
            return view(*args, **kwargs)

        wrapped.required_perm = perm  # type: ignore[attr-defined]  # read by enforce_default_deny
        return wrapped  # type: ignore[return-value]  # functools.wraps keeps the view's signature

    return decorator


def deny(reason: str, status: int = 403) -> NoReturn:
    """Refuse the request: nothing it did is kept, and the refusal is recorded in the audit trail."""
    # The error response rolls the request back anyway; the refusal's audit row must outlive that.
    keep_only(
        lambda: record_security_event(
            "permission_denied", user=current_user, detail={"endpoint": request.endpoint, "need": reason}
        )
    )
    abort(status)


def load_or_404(model: type[Model], ident: object, perm: Perm, user: User | None = None) -> Model:
    """Load a record and authorise in one step: out of scope → 404, lacking the permission → 403."""
    user = user or current_user
    obj = db.session.get(model, ident)
    if obj is None or not in_scope(user, obj):
        abort(404)
    if not can(user, perm, obj):
        deny(perm.value)
    return obj


def load_in_scope_or_404(
    model: Any, ident: object, scope: Callable[[User], sa.ColumnElement[bool]], perm: Perm, user: User | None = None
) -> Any:
    """Load a record only if the scope condition admits it (else 404), then check the permission."""
    user = user or current_user
    if not has_perm(user, perm):
        deny(perm.value)
    obj = db.session.scalar(sa.select(model).where(model.id == ident, scope(user)))
    if obj is None:
        abort(404)
    return obj


def load_case(
    user: User,
    case_id: int,
    perm: Perm,
    *,
    editable: bool = False,
    back_to: str | None = None,
    options: Sequence[Any] = (),
) -> Case:
    """The one loader of every route that opens a case: outside the user's case scope → 404; without
    the permission → 403; with EDIT_CASES (or `editable`) only staff of the facility that owns the case
    now (a case transferred out is read-only there) → else 403; with `editable` the case must be open
    to work → else CaseNotOpen (back to the case page, at the section `back_to`, with the message).
    `options`: loader options (what the page shows with the case)."""

    if not has_perm(user, perm):
        deny(perm.value)
    case = db.session.scalar(sa.select(Case).where(Case.id == case_id, case_scope(user)).options(*options))
    if case is None:
        abort(404)
    if (perm is Perm.EDIT_CASES or editable) and not can_edit_case(user, case):
        deny(perm.value)
    if editable and not case.is_open:
        raise CaseNotOpen(case, back_to)
    return case


def enforce_default_deny() -> Response | None:
    """before_request: login required unless public; an endpoint without a declared permission is refused."""
    endpoint = request.endpoint
    if endpoint is None or endpoint in PUBLIC_ENDPOINTS:
        return None
    if not current_user.is_authenticated:
        return redirect(url_for("auth.login", next=return_path(request, current_app.url_map)))
    view = current_app.view_functions.get(endpoint)
    if getattr(view, "required_perm", None) is None:
        deny("undeclared")
    return None


def back_to_the_case(error: CaseNotOpen) -> Response:
    """errorhandler(CaseNotOpen): nothing of the request is kept; the case page says why."""
    db.session.rollback()
    flash(str(error), "error")
    return redirect(url_for("cases.show", case_id=error.case_id, section=error.back_to, _anchor=error.back_to))


def install(app: Flask) -> None:
    """Default deny before every request; a write on a closed case goes back to its page."""
    app.before_request(enforce_default_deny)
    app.register_error_handler(CaseNotOpen, back_to_the_case)


__all__ = [
    "PUBLIC_ENDPOINTS",
    "CaseNotOpen",
    "requires",
    "deny",
    "load_or_404",
    "load_in_scope_or_404",
    "load_case",
    "enforce_default_deny",
    "install",
]
