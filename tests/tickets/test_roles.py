"""Roles that fit the work: tickets opened for a caller, KB editors in the admin, `create_user`."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command

from diagnostics.models import DomainAdmin, ProtectedDomain
from tickets.models import Event, Ticket
from tickets.roles import GATEWAY_ADMINS, HELPDESK, KB_EDITORS, is_gateway_admin, is_helpdesk

pytestmark = pytest.mark.django_db


def test_helpdesk_opens_a_ticket_for_a_caller(client, helpdesk, admin, other_admin, domain):
    client.force_login(helpdesk)
    page = client.get("/tickets/new/").content.decode()
    assert f'<option value="{admin.pk}">gary</option>' in page and "hanna</option>" not in page  # requesters only
    data = {"requester": other_admin.pk, "domain": domain.pk, "title": "Caller: mail stuck", "description": ""}
    refused = client.post("/tickets/new/", data)
    assert refused.status_code == 400 and "olga is not an administrator of example.com" in refused.content.decode()
    assert not Ticket.objects.exists()

    response = client.post("/tickets/new/", {**data, "requester": admin.pk})
    ticket = Ticket.objects.get()
    assert response.status_code == 302 and response.url == ticket.get_absolute_url()
    assert (ticket.requester, ticket.domain, ticket.title) == (admin, domain, "Caller: mail stuck")
    created = ticket.events.get(kind=Event.Kind.CREATED)
    assert created.actor == helpdesk and created.data == {"on_behalf_of": "gary"}
    assert "opened the ticket on behalf of gary" in client.get(ticket.get_absolute_url()).content.decode()
    client.force_login(admin)
    assert client.get(ticket.get_absolute_url()).status_code == 200  # the caller sees their ticket


def test_only_the_helpdesk_opens_tickets_for_others(client, admin, editor):
    for user in (admin, editor):
        client.force_login(user)
        assert client.get("/tickets/new/").status_code == 403
    client.logout()
    assert client.get("/tickets/new/").status_code == 302


def test_kb_editors_are_staff_by_group_and_reach_analytics_and_history(client, editor, django_user_model):
    assert editor.is_staff and not editor.is_superuser
    client.force_login(editor)
    for url in ("/admin/", "/admin/kb/searchquerylog/", "/admin/admin/logentry/", "/admin/kb/article/"):
        assert client.get(url).status_code == 200, url
    assert client.get("/admin/auth/user/").status_code == 403  # nothing beyond their work

    group = Group.objects.get(name=KB_EDITORS)
    editor.groups.remove(group)
    editor.refresh_from_db()
    assert not editor.is_staff
    group.user_set.add(editor)  # the other side of the relation, as the admin's group page does it
    editor.refresh_from_db()
    assert editor.is_staff
    group.user_set.clear()
    editor.refresh_from_db()
    assert not editor.is_staff

    boss = django_user_model.objects.create_superuser("boss", "boss@example.com", "x")
    boss.groups.add(group)
    boss.groups.clear()
    boss.refresh_from_db()
    assert boss.is_staff  # a superuser stays staff


def test_create_user_for_each_role(roles, monkeypatch, django_user_model):
    ProtectedDomain.objects.create(name="example.com")
    monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase\n"))
    out = io.StringIO()
    call_command(
        "create_user", "gina", "--role", "gateway-admin", "--domain", "example.com", "--password-stdin", stdout=out
    )
    assert out.getvalue() == "Created gateway-admin gina for example.com.\n"
    gina = django_user_model.objects.get(username="gina")
    assert is_gateway_admin(gina) and DomainAdmin.objects.filter(user=gina, domain__name="example.com").exists()
    assert gina.check_password("a-long-enough-passphrase") and not gina.is_staff

    for name, role, check in (("hal", "helpdesk", is_helpdesk), ("ed", "kb-editor", None)):
        monkeypatch.setattr("sys.stdin", io.StringIO("a-long-enough-passphrase\n"))
        call_command("create_user", name, "--role", role, "--password-stdin", stdout=io.StringIO())
        user = django_user_model.objects.get(username=name)
        assert check(user) if check else (user.is_staff and user.groups.filter(name=KB_EDITORS).exists())
    assert set(Group.objects.filter(user__username="hal").values_list("name", flat=True)) == {HELPDESK}
    assert not Group.objects.filter(name=GATEWAY_ADMINS, user__username="ed").exists()


@pytest.mark.parametrize(
    "args,stdin,message",
    [
        (
            ["x", "--role", "gateway-admin", "--domain", "nope.example"],
            "a-long-enough-passphrase\n",
            "No protected domain 'nope.example'",
        ),
        (["x", "--role", "helpdesk", "--domain", "example.com"], "a-long-enough-passphrase\n", "--domain is only for"),
        (["x", "--role", "helpdesk"], "\n", "The password is empty."),
        (["x", "--role", "helpdesk"], "123\n", "too short"),
        (["gary", "--role", "helpdesk"], "a-long-enough-passphrase\n", "exists already"),
    ],
)
def test_create_user_refuses_with_a_clear_message(admin, monkeypatch, django_user_model, args, stdin, message):
    ProtectedDomain.objects.create(name="example.com")
    monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(CommandError, match=message):
        call_command("create_user", *args, "--password-stdin", stdout=io.StringIO())
    assert not django_user_model.objects.filter(username="x").exists()


def test_create_user_unknown_role_is_a_usage_error(roles, capsys):
    with pytest.raises(CommandError, match="invalid choice: 'wizard'"):
        call_command("create_user", "x", "--role", "wizard")


def test_other_group_changes_leave_hand_made_staff_alone(roles, django_user_model):
    staff = django_user_model.objects.create_user("sam", "sam@example.com", "x", is_staff=True)
    staff.groups.add(Group.objects.get(name=HELPDESK))
    staff.groups.remove(Group.objects.get(name=HELPDESK))
    staff.groups.clear()
    staff.refresh_from_db()
    assert staff.is_staff  # made staff by hand, never in a staff group: untouched
    plain = django_user_model.objects.create_user("pat", "pat@example.com", "x")
    Group.objects.get(name=GATEWAY_ADMINS).user_set.add(plain)
    plain.refresh_from_db()
    assert not plain.is_staff
