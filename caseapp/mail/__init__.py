"""E-mail delivery of notifications: the outbox, SMTP with retries, the daily digest, preferences."""
