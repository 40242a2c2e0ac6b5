"""Admin login: repeated wrong passwords lock the address out (django-axes); issue 17 item 13."""
import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor_account(django_user_model):
    return django_user_model.objects.create_user("editor", password="the right pass phrase", is_staff=True)


def attempt(client, password, address="203.0.113.20"):
    return client.post("/admin/login/?next=/admin/", {"username": "editor", "password": password},
                       REMOTE_ADDR=address)


def test_after_five_wrong_passwords_the_address_is_locked_out_even_with_the_right_one(client, editor_account, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(4):
        assert attempt(client, "wrong").status_code == 200  # the form again, with its error
    assert attempt(client, "wrong").status_code == 429
    response = attempt(client, "the right pass phrase")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_another_address_can_still_log_in(client, editor_account, settings):
    settings.AXES_FAILURE_LIMIT = 5
    for _ in range(5):
        attempt(client, "wrong")
    response = attempt(client, "the right pass phrase", address="198.51.100.4")
    assert response.status_code == 302 and response["Location"] == "/admin/"


def test_a_successful_login_clears_the_failures(client, editor_account, settings):
    settings.AXES_FAILURE_LIMIT = 3
    attempt(client, "wrong")
    attempt(client, "wrong")
    assert attempt(client, "the right pass phrase").status_code == 302
    client.logout()
    attempt(client, "wrong")
    attempt(client, "wrong")
    assert attempt(client, "the right pass phrase").status_code == 302
