"""Cases: the case itself (models, queries, services, forms, views, the case page) and its
sub-domains, each a package with its own models: access (sharing, break the glass), caseload
(reassigning, flags), followups (follow-ups, contacts), attachments, workflow (steps, closure,
reopening)."""
