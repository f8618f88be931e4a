"""What every domain's services share."""


class ServiceError(ValueError):
    """A refusal to show to the user; `field` names the form field it belongs to, if any."""

    def __init__(self, message: object, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field
