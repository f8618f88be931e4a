"""The register's tests use the registry's fixtures: staff of two facilities, clients made by the
registry's services, signed-in test clients on the transaction-bound session."""

from ..clients.conftest import new_client, signed_in, staff  # noqa: F401  (re-exported fixtures)
from ..security.conftest import session  # noqa: F401
