"""Users, log-in, sessions and passwords."""
