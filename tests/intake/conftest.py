from ..clients.conftest import in_request, make_app, new_case, new_client, session, sign_in, signed_in, staff  # noqa: F401  (re-exported fixtures)
