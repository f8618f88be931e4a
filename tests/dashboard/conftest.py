"""Fixtures of the dashboard tests: the connection-bound session of the security tests (a request's
commits are savepoints of the test's transaction) and the case tests' staffed facility."""

from ..cases.conftest import signed_in, staff  # noqa: F401  (re-exported fixtures)
from ..security.conftest import make_app, session, sign_in  # noqa: F401  (re-exported fixtures)
