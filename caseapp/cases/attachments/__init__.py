"""Documents uploaded to a case: stored outside static/, served through an audited route."""
