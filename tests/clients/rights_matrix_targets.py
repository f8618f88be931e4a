"""Rows of the access matrix (tests/security/matrix.py, TARGETS) for the data subject's rights
(caseapp/clients/rights/views.py): a client of the acting user's facility with an export request, one of
another facility, or none."""

from datetime import timedelta

from caseapp.clients.rights.services import record_request
from caseapp.core.timeutil import local_today

from .. import factories


def _request(world, which):
    facility, users = (world.facility, world.users) if which == "own" else (world.other_facility, world.other_users)
    client = factories.make_client(facility, full_name="Nguyễn Thị Yêu Cầu")
    request = record_request(
        client,
        kind="export",
        requester="person",
        received_on=local_today() - timedelta(days=1),
        reference="01/ĐYC",
        by=users["supervisor"],
    )
    return {"client_id": client.id, "request_id": request.id}


def _client(world, which):
    return {"client_id": _request(world, which)["client_id"]}


def targets(Target, no_record):
    client_target = Target(
        own=lambda w: _client(w, "own"),
        other=lambda w: _client(w, "other"),
        missing=lambda w: {"client_id": no_record},
    )
    request_target = Target(
        own=lambda w: _request(w, "own"),
        other=lambda w: _request(w, "other"),
        missing=lambda w: {"client_id": no_record, "request_id": no_record},
    )

    def with_format(values):
        return {**values, "file_format": "json"}

    return {
        "clients.data_requests": client_target,
        "clients.anonymise": client_target,
        "clients.data_request": request_target,
        "clients.close_data_request": request_target,
        "clients.export_client_data": Target(
            own=lambda w: with_format(_request(w, "own")),
            other=lambda w: with_format(_request(w, "other")),
            missing=lambda w: with_format({"client_id": no_record, "request_id": no_record}),
        ),
    }
