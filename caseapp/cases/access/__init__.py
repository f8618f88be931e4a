"""Access beyond the default scope: sharing a case, break the glass, the supervisors' access log."""
