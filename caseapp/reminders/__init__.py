"""Reminders of due items and the scheduler."""
