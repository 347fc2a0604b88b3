import pytest


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # The tests do not run collectstatic; the hashed-manifest storage of production
    # would refuse every {% static %} without its manifest.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Each test builds five users; the production hasher's deliberate slowness would
    # dominate the run. Sign-in itself is tested with these hashes just the same.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
