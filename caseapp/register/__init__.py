"""The beneficiary register: dated group memberships under decisions, and the people under management."""
