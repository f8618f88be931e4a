"""The supervisor's caseload: reviewing, reassigning cases, flags to workers."""
