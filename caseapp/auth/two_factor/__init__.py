"""Two-step sign-in: an authenticator app's codes (TOTP, RFC 6238) after the password, recovery codes,
the enrolment page, an administrator's reset and the roles each facility requires it of."""
