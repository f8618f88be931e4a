"""Follow-ups (scheduled contacts) and contact notes of a case."""
