"""Assessments and care plans of a case."""
