"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the case's workflow pages:
steps, closure request and decision, reopening, details. A case of the facility assigned to its
social worker (every case-working role of the facility can open it), one of another facility, and
an id that matches nothing."""

from .. import factories


def targets(Target, NO_RECORD):
    """{endpoint: Target}; the matrix passes its own Target class and missing-record id."""

    def case(which):
        def values(w):
            facility, worker = (
                (w.facility, w.users["social_worker"])
                if which == "own"
                else (w.other_facility, w.other_users["social_worker"])
            )
            return {"case_id": factories.make_case(facility, worker=worker).id}

        return values

    row = Target(own=case("own"), other=case("other"), missing=lambda w: {"case_id": NO_RECORD})
    return {
        endpoint: row
        for endpoint in ("cases.move", "cases.closure_page", "cases.decide_closure", "cases.reopen", "cases.edit")
    }
