"""Fixtures of the supervision tests: those of the case tests (a facility staffed with every role)."""

from ..cases.conftest import signed_in, staff  # noqa: F401  (re-exported fixtures)
from ..security.conftest import make_app, session, sign_in  # noqa: F401  (re-exported fixtures)
