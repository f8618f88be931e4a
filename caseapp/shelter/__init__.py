"""Shelter rooms, beds and stays."""
