"""Password hashes: argon2id with the parameters the app's configuration names; a hash made with other
parameters still verifies, and is made again with the configured ones at the next sign-in."""

from argon2 import PasswordHasher

from caseapp.auth.services import authenticate, hash_password, verify_password

from ..factories import PASSWORD


def parameters(password_hash):
    """time cost, memory cost, parallelism, as argon2 writes them into the hash: $argon2id$v=19$m=…,t=…,p=…$"""
    fields = dict(part.split("=") for part in password_hash.split("$")[3].split(","))
    return int(fields["t"]), int(fields["m"]), int(fields["p"])


def configured(app):
    return (
        app.config["PASSWORD_HASH_TIME_COST"],
        app.config["PASSWORD_HASH_MEMORY_COST"],
        app.config["PASSWORD_HASH_PARALLELISM"],
    )


def test_the_test_configuration_uses_the_cheapest_argon2id(app):
    assert configured(app) == (1, 8, 1)


def test_a_new_hash_is_argon2id_with_the_configured_parameters(app, session):
    password_hash = hash_password(PASSWORD)
    assert password_hash.startswith("$argon2id$")
    assert parameters(password_hash) == configured(app)


def test_a_hash_made_with_other_parameters_verifies_and_is_made_again_with_the_configured_ones(app, session, make_user):
    user = make_user()
    older = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash(PASSWORD)
    user.password_hash = older
    assert verify_password(user, PASSWORD)
    assert user.password_hash != older
    assert parameters(user.password_hash) == configured(app)
    assert PasswordHasher().verify(user.password_hash, PASSWORD)


def test_a_hash_with_the_configured_parameters_is_kept(app, session, make_user):
    user = make_user()
    kept = user.password_hash
    assert verify_password(user, PASSWORD)
    assert user.password_hash == kept


def test_a_wrong_password_changes_nothing(app, session, make_user):
    user = make_user()
    older = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1).hash(PASSWORD)
    user.password_hash = older
    assert not verify_password(user, "not-the-password")
    assert user.password_hash == older


def test_an_unknown_username_is_refused_after_the_same_work(app, session):
    user, outcome = authenticate("no.such.user", PASSWORD, ip="203.0.113.9", config=app.config)
    assert (user, outcome) == (None, "failed")
