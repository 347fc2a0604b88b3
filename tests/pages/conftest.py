import pytest


@pytest.fixture(autouse=True)
def plain_static_storage(settings):
    # The tests do not run collectstatic; the hashed-manifest storage of production
    # would refuse every {% static %} without its manifest.
    settings.STORAGES = {**settings.STORAGES,
                         "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}
