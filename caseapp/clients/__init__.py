"""Clients (người được trợ giúp), their families, consents, groups and merges."""
