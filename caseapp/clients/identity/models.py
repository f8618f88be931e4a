"""A request to the facility that holds a citizen ID: another facility registered a client with it."""

from datetime import datetime
from typing import TYPE_CHECKING

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ...core.timeutil import UTCDateTime, utcnow
from ...extensions import Model

if TYPE_CHECKING:  # for annotations only
    from ...auth.models import User
    from ...org.models import Facility
    from ..models import Client


class IdentityMatchRequest(Model):
    """A client of `facility_id` (client_id) holds the citizen ID that a client registered since at
    another facility (registered_client_id, of registered_facility_id) was given. For the supervisors
    of `facility_id`, who may contact the other facility to share or transfer the case, then mark it
    handled. The other facility's client is never shown: only the facility's name."""

    __tablename__ = "identity_match_requests"
    __table_args__ = (
        # The same pair is asked about once, whatever the edits back and forth.
        sa.UniqueConstraint("client_id", "registered_client_id"),
        # The supervisors' list: the facility's requests, newest first (keyset on id).
        sa.Index("ix_identity_match_requests_facility_id_id", "facility_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)  # the holder's
    client_id: Mapped[int] = mapped_column(sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False)
    registered_client_id: Mapped[int] = mapped_column(
        sa.ForeignKey("clients.id", ondelete="CASCADE"), nullable=False, index=True
    )
    registered_facility_id: Mapped[int] = mapped_column(sa.ForeignKey("facilities.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)
    handled_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    handled_by_id: Mapped[int | None] = mapped_column(sa.ForeignKey("users.id"))

    client: Mapped["Client"] = relationship("Client", lazy="raise_on_sql", foreign_keys=[client_id])
    registered_facility: Mapped["Facility"] = relationship(
        "Facility", lazy="raise_on_sql", foreign_keys=[registered_facility_id]
    )
    handled_by: Mapped["User | None"] = relationship("User", lazy="raise_on_sql")

    @property
    def is_handled(self) -> bool:
        return self.handled_at is not None
