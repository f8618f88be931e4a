"""Facilities, provinces and communes."""
