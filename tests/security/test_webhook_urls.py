"""A manager's webhook URL must not become a way into our own network: internal
addresses are refused when the endpoint is saved and again at every send, after DNS
resolution, and the connection goes to the address that was checked. Redirects are not
followed; answers are read within size and time bounds."""
import socket
import time

import pytest
from rest_framework.test import APIClient

from alerts.choices import NotificationStatus
from alerts.delivery import deliver_notification
from alerts.delivery.webhook import post_pinned
from alerts.models import WebhookEndpoint
from testkit.receiver import endless, silent, status, trickle

INTERNAL = [
    "http://10.0.0.5/hook", "http://10.255.255.255/", "http://172.16.3.4/", "http://172.31.255.254:8080/x",
    "http://192.168.1.1/", "http://[fc00::1]/", "http://[fd12:3456::1]/",
    "http://127.0.0.1/", "http://127.8.8.8:9000/", "http://[::1]/", "http://localhost:8000/",
    "http://169.254.169.254/latest/meta-data/", "http://169.254.1.1/", "http://[fe80::1]/",
    "http://0.0.0.0/", "http://[::]/", "http://224.0.0.1/", "http://[ff02::1]/",
    "http://[::ffff:127.0.0.1]/", "http://[::ffff:169.254.169.254]/", "http://100.64.0.1/",
    "http://2130706433/",  # 127.0.0.1 written as one number
]
NOT_HTTP = ["ftp://example.org/hook", "file:///etc/passwd", "gopher://example.org/", "javascript:alert(1)",
            "//example.org/hook", "http:///nohost"]


def _create(manager, url):
    client = APIClient()
    client.force_login(manager)
    return client.post("/api/v1/webhook-endpoints", {"name": "Partner desk", "url": url,
                                                     "owner_user": manager.pk}, format="json")


@pytest.mark.parametrize("url", INTERNAL + NOT_HTTP)
def test_an_internal_or_non_http_url_is_refused_when_saved_naming_url(manager, url):
    response = _create(manager, url)
    assert response.status_code == 400, (url, response.content)
    assert "url" in response.json()["fields"]
    assert not WebhookEndpoint.objects.exists()


def test_changing_a_saved_endpoint_to_the_metadata_service_is_refused(manager):
    endpoint = _create(manager, "http://93.184.216.34/hook").json()
    client = APIClient()
    client.force_login(manager)
    response = client.patch(f"/api/v1/webhook-endpoints/{endpoint['id']}", {"url": "http://169.254.169.254/"},
                            format="json")
    assert response.status_code == 400 and "url" in response.json()["fields"]
    assert WebhookEndpoint.objects.get().url == "http://93.184.216.34/hook"


def test_a_public_address_is_accepted(manager):
    assert _create(manager, "https://93.184.216.34:8443/hook?x=1").status_code == 201


def test_a_network_the_setting_allows_is_accepted(manager, settings):
    settings.ALERTS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "10.20.0.0/16"]
    assert _create(manager, "http://127.0.0.1:9000/hook").status_code == 201
    assert _create(manager, "http://10.20.1.2/hook").status_code == 201
    assert _create(manager, "http://10.21.1.2/hook").status_code == 400


# --- At send time --------------------------------------------------------------------


def test_a_saved_endpoint_that_now_resolves_to_loopback_is_not_contacted(start_receiver, notification_to):
    receiver = start_receiver(status(200))
    notification = notification_to(f"http://localhost:{receiver.port}/hook")
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.FAILED
    notification.refresh_from_db()
    assert "loopback" in notification.last_error
    assert receiver.requests == []
    assert notification.group.events.filter(kind="delivery_failed").exists()


def test_dns_rebinding_is_defeated_the_checked_address_is_the_one_connected(start_receiver, notification_to,
                                                                             settings, monkeypatch):
    """The name is looked up once per send: the first answer is checked and connected
    to; a rebinding DNS server never gets to give a second, different answer."""
    settings.ALERTS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    receiver = start_receiver(status(200))
    real = socket.getaddrinfo
    lookups = []

    def rebinding_dns(host, *args, **kwargs):  # the outside world: a hostile DNS server
        if host != "partner.example":
            return real(host, *args, **kwargs)
        lookups.append(host)
        address = "127.0.0.1" if len(lookups) == 1 else "169.254.169.254"
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, receiver.port))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding_dns)
    notification = notification_to(f"http://partner.example:{receiver.port}/hook")
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.SENT
    assert lookups == ["partner.example"]
    assert receiver.requests[0]["headers"]["Host"] == f"partner.example:{receiver.port}"


def test_a_name_with_one_internal_address_among_public_ones_is_refused(notification_to, monkeypatch):
    def mixed_dns(host, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", ("93.184.216.34", 80)),
                (socket.AF_INET, socket.SOCK_STREAM, 6, "", ("10.0.0.7", 80))]

    monkeypatch.setattr(socket, "getaddrinfo", mixed_dns)
    notification = notification_to("http://mixed.example/hook")
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.FAILED
    notification.refresh_from_db()
    assert "10.0.0.7" in notification.last_error


def test_a_redirect_is_not_followed(start_receiver, notification_to, settings):
    settings.ALERTS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    elsewhere = start_receiver(status(200))
    redirecting = start_receiver(status(307, headers=[("Location", elsewhere.url)]))
    notification = notification_to(redirecting.url)
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.FAILED
    assert len(redirecting.requests) == 1 and elsewhere.requests == []


# --- Bounds on the answer ------------------------------------------------------------


@pytest.fixture
def loopback_allowed(settings):
    settings.ALERTS_WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8"]
    settings.ALERTS_WEBHOOK_CONNECT_TIMEOUT = 1.0
    settings.ALERTS_WEBHOOK_READ_TIMEOUT = 1.0
    return settings


def test_an_endless_answer_is_read_only_up_to_the_cap(start_receiver, loopback_allowed):
    receiver = start_receiver(endless)
    started = time.monotonic()
    code, _headers, body = post_pinned(receiver.url, b"{}", {"Content-Type": "application/json"})
    assert code == 200
    assert len(body) == loopback_allowed.ALERTS_WEBHOOK_MAX_RESPONSE_BYTES == 65536
    assert time.monotonic() - started < 3


def test_a_trickling_answer_is_cut_off_at_the_read_timeout(start_receiver, loopback_allowed):
    receiver = start_receiver(trickle)
    started = time.monotonic()
    code, _headers, body = post_pinned(receiver.url, b"{}", {})
    elapsed = time.monotonic() - started
    assert code == 200 and 0 < len(body) < 100
    assert elapsed < 2.5, elapsed


def test_a_receiver_that_never_answers_is_a_retried_timeout(start_receiver, notification_to, loopback_allowed):
    receiver = start_receiver(silent)
    notification = notification_to(receiver.url)
    started = time.monotonic()
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.PENDING
    assert time.monotonic() - started < 3
    notification.refresh_from_db()
    assert notification.attempts == 1 and "timed out" in notification.last_error.lower()


def test_an_unreachable_port_fails_fast_and_is_retried(notification_to, loopback_allowed):
    with socket.socket() as sock:  # a port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    notification = notification_to(f"http://127.0.0.1:{port}/hook")
    assert deliver_notification(notification_id=notification.pk) == NotificationStatus.PENDING


# --- TLS through the pinned connection -------------------------------------------------


@pytest.fixture
def tls_receiver(tmp_path, loopback_allowed, start_receiver):
    """An https receiver on loopback whose certificate names `localhost`."""
    import shutil
    import subprocess

    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key), "-out",
                    str(cert), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"],
                   check=True, capture_output=True)

    receiver = start_receiver(status(200, body=b""), tls=(cert, key))
    return receiver.port, cert


def test_https_to_a_pinned_address_still_verifies_the_certificate_by_name(tls_receiver, monkeypatch):
    import certifi
    import urllib3

    port, cert = tls_receiver
    # Untrusted certificate: refused.
    with pytest.raises(urllib3.exceptions.SSLError, match="certificate verify failed"):
        post_pinned(f"https://localhost:{port}/hook", b"{}", {})
    # Trusted (our own CA store, as the outside world's would be): the connection goes to
    # the checked address, and the certificate is matched against the name in the URL.
    monkeypatch.setattr(certifi, "where", lambda: str(cert))
    assert post_pinned(f"https://localhost:{port}/hook", b"{}", {})[0] == 200
    # The same certificate for an address it does not name: refused.
    with pytest.raises(urllib3.exceptions.SSLError):
        post_pinned(f"https://127.0.0.1:{port}/hook", b"{}", {})
