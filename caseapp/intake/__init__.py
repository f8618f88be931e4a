"""Intake: the first contact and screening before a case is opened."""
