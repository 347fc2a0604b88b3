import pytest
from rest_framework.test import APIClient


@pytest.fixture
def client_for(db):
    """An API client signed in as `user` through the session, as the pages are; the
    user is read from the database on every request, like a real one."""

    def make(user=None) -> APIClient:
        client = APIClient()
        if user is not None:
            client.force_login(user)
        return client

    return make
