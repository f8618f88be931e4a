"""Shared infrastructure used by several domains: time, text folding, pagination."""
