"""One person, clients of several facilities: the identity of a client across facilities, without telling
one facility who the clients of another are (OWASP ASVS 5.0 V8.4.1, V8.2.2).

- A citizen ID is unique per facility (uq_clients_citizen_id_facility_id): a number another facility
  already holds is accepted like any unused one — same answer, same message, same page.
- Silently to the user who registered it, the facility that holds the number is told: an
  IdentityMatchRequest for its supervisors and a notification ("a client with the same citizen ID was
  registered at <facility>"); they may contact that facility to share or transfer the case (the transfer
  feature). Never when either side is sealed or sits at a shelter (security.scopes.identity_disclosable):
  then nothing is written that could tell the other facility that the person is there.

- models: IdentityMatchRequest
- services: tell_holders (after a client is registered or its citizen ID set), mark_handled
- queries: the supervisors' list
- views: the supervisors' page (on the clients blueprint)
"""
