"""Login, logout and password change pages in the site's style."""

import pytest

from tests.tickets.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def test_password_change_flow(client, admin):
    client.force_login(admin)
    page = client.get("/accounts/password_change/").content.decode()
    assert "Change your password" in page and 'class="site-header"' in page
    bad = client.post(
        "/accounts/password_change/",
        {"old_password": "wrong", "new_password1": "x", "new_password2": "y"},
    ).content.decode()
    assert "Please correct the fields marked below." in bad
    response = client.post(
        "/accounts/password_change/",
        {"old_password": PASSWORD, "new_password1": "mail-gateway-42!", "new_password2": "mail-gateway-42!"},
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    admin.refresh_from_db()
    assert admin.check_password("mail-gateway-42!")


def test_password_change_needs_login(client):
    response = client.get("/accounts/password_change/")
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_logout_page_when_no_redirect_is_configured(client, admin, settings):
    settings.LOGOUT_REDIRECT_URL = None
    client.force_login(admin)
    response = client.post("/accounts/logout/")
    assert "_auth_user_id" not in client.session
    assert response.status_code == 200 and "You are logged out" in response.content.decode()


def test_login_page_in_site_style_and_next_works(client, admin):
    html = client.get("/accounts/login/?next=/tickets/").content.decode()
    assert 'class="site-header"' in html and 'value="/tickets/"' in html
    response = client.post("/accounts/login/", {"username": "gary", "password": PASSWORD, "next": "/tickets/"})
    assert response.status_code == 302 and response.url == "/tickets/"
