class DeliveryError(Exception):
    """A failure worth retrying (network error, timeout, 5xx, 408, 429)."""

    def __init__(self, message: str, retry_after: float | None = None):
        super().__init__(message)
        self.retry_after = retry_after


class PermanentFailure(Exception):
    """A refusal that retrying will not change (a 4xx answer, no address)."""
