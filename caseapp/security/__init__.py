"""The one access policy of caseapp (imports nothing: importing the policy must not import the web).

- `policy`: roles, permissions and capabilities, readable on one screen.
- `scopes`: SQL conditions — which cases, clients, users, rows of a facility a user may list.
- `rules`: decisions on one object — may this user change this case now, approve this request …
- `web`: what routes use — @requires, deny, load_case, load_or_404, default deny, PUBLIC_ENDPOINTS.
"""
