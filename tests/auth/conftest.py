from ..security.conftest import make_app, session  # noqa: F401  (transaction-bound session, second app)
