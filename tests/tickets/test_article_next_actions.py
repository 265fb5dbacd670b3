"""The article page's next steps that other apps add (portal.panels slot kb.article.actions): run the article's
suggested checks (diagnostics), link it to a ticket or open one with it (tickets); votes on the metrics page."""

import pytest

from diagnostics.models import DiagnosticRun
from kb.models import ArticleVote
from tickets import metrics, services
from tickets.models import Ticket

pytestmark = pytest.mark.django_db


def next_steps(client, article) -> str:
    html = client.get(article.get_absolute_url()).content.decode()
    start = html.index('class="next-actions"')
    return html[start : html.index('id="article-vote"', start)]


def test_anonymous_and_editors_see_neither_checks_nor_tickets(client, editor, articles):
    for user in (None, editor):
        if user:
            client.force_login(user)
        html = next_steps(client, articles[1])
        assert "Run the suggested checks" not in html and "/diagnostics/" not in html
        assert "/tickets/" not in html and "/report/" not in html
        assert 'id="article-link"' in html  # sharing is for everyone


def test_gateway_admin_runs_the_suggested_checks_on_their_domain(client, admin, domain, articles, diag):
    client.force_login(admin)
    html = next_steps(client, articles[2])
    assert 'action="/diagnostics/"' in html and '<input type="hidden" name="checks" value="mx_records">' in html
    assert f'<option value="{domain.pk}">example.com</option>' in html
    assert 'name="domain"' not in html  # gateway admins test only their protected domains
    assert 'href="/report/"' in html  # not solved: report it
    form = {"checks": ["mx_records"], "protected_domain": str(domain.pk)}
    response = client.post("/diagnostics/", form)
    run = DiagnosticRun.objects.get()
    assert response.status_code == 302 and response["Location"] == run.get_absolute_url()
    assert run.protected_domain == domain and list(run.results.values_list("check_name", flat=True)) == ["mx_records"]


def test_helpdesk_types_the_domain_a_protected_one_gets_every_check(client, helpdesk, domain, articles, diag):
    client.force_login(helpdesk)
    html = next_steps(client, articles[6])
    assert 'name="protected_domain"' not in html and 'name="domain"' in html
    assert "SMTP recipient verification runs only on a protected domain." in html
    response = client.post("/diagnostics/", {"checks": ["mx_records"], "domain": "example.com"})
    run = DiagnosticRun.objects.get()
    assert response.status_code == 302 and run.protected_domain == domain


def test_no_checks_form_for_an_article_without_suggested_checks(client, helpdesk, domain, articles):
    articles[1].suggested_checks = ["no_such_check"]
    articles[1].save()
    client.force_login(helpdesk)
    assert "Run the suggested checks" not in next_steps(client, articles[1])


def test_helpdesk_links_the_article_to_one_of_their_tickets(client, helpdesk, helpdesk2, admin, domain, articles):
    mine = services.create_ticket(admin, title="Relay refused", domain=domain)
    services.update_ticket(mine, helpdesk, assignee=helpdesk)
    theirs = services.create_ticket(admin, title="Someone else's", domain=domain)
    services.update_ticket(theirs, helpdesk2, assignee=helpdesk2)
    client.force_login(helpdesk)
    html = next_steps(client, articles[1])
    assert f'<option value="{mine.pk}">{mine.number} Relay refused</option>' in html
    assert "Someone else" not in html
    assert 'href="/tickets/new/?article=KB-0001"' in html

    response = client.post("/tickets/link-article/", {"ticket": mine.pk, "article": "KB-0001"})
    assert response.status_code == 302 and response["Location"] == f"{mine.get_absolute_url()}#links-heading"
    assert mine.links.get().article == articles[1]
    assert "KB-0001 linked to" in client.get(response["Location"]).content.decode()
    assert "No open ticket of yours to link it to." in next_steps(client, articles[1])

    again = client.post("/tickets/link-article/", {"ticket": mine.pk, "article": "KB-0001"}, follow=True)
    assert "was linked to" in again.content.decode() and "already" in again.content.decode()
    assert mine.links.count() == 1


@pytest.mark.parametrize("data", [{"ticket": "theirs", "article": "KB-0001"}, {"ticket": "mine", "article": "KB-9"}])
def test_linking_refuses_other_tickets_and_unknown_articles(client, helpdesk, helpdesk2, admin, domain, articles, data):
    mine = services.create_ticket(admin, title="Mine", domain=domain)
    services.update_ticket(mine, helpdesk, assignee=helpdesk)
    theirs = services.create_ticket(admin, title="Theirs", domain=domain)
    services.update_ticket(theirs, helpdesk2, assignee=helpdesk2)
    client.force_login(helpdesk)
    data = {**data, "ticket": {"mine": mine.pk, "theirs": theirs.pk}[data["ticket"]]}
    response = client.post("/tickets/link-article/", data)
    assert response.status_code == 400 and response.content.decode().startswith("Not linked:")
    assert not Ticket.objects.filter(links__isnull=False).exists()


def test_gateway_admins_may_not_link(client, admin, ticket, articles):
    client.force_login(admin)
    assert client.post("/tickets/link-article/", {"ticket": ticket.pk, "article": "KB-0001"}).status_code == 403
    assert not ticket.links.exists()


def test_a_new_ticket_opened_from_the_article_links_it(client, helpdesk, admin, domain, articles):
    client.force_login(helpdesk)
    html = client.get("/tickets/new/?article=KB-0006").content.decode()
    assert 'name="article" value="KB-0006"' in html and articles[6].title in html
    assert "The article <strong>KB-0006</strong> will be linked" in html
    for bad_number in ("KB-%D9%A1", "KB-99999999999999999999", "nothing"):
        assert "will be linked" not in client.get(f"/tickets/new/?article={bad_number}").content.decode()
    form = {"requester": admin.pk, "domain": domain.pk, "title": "Greylisting?", "article": "KB-0006"}
    response = client.post("/tickets/new/", form)
    ticket = Ticket.objects.get(title="Greylisting?")
    assert response.status_code == 302 and ticket.links.get().article == articles[6]
    bad = client.post("/tickets/new/", {**form, "article": "KB-4242"})
    assert bad.status_code == 400 and "No article KB-4242" in bad.content.decode()


def test_votes_on_the_metrics_page(client, helpdesk, admin, editor, articles):
    client.force_login(helpdesk)
    html = client.get("/tickets/metrics/").content.decode()
    assert "No answers yet, so no rate" in html and "0.0" not in html
    for user, article, helpful in [(helpdesk, 1, False), (admin, 1, False), (editor, 1, True), (editor, 2, True)]:
        ArticleVote.cast(articles[article], user, helpful)
    data = metrics.helpfulness()
    assert (data["helpful"], data["not_helpful"], data["rate"]) == (2, 2, 50.0)
    assert data["not_helpful_articles"] == [(f"KB-0001 {articles[1].title}", 2)]
    html = client.get("/tickets/metrics/").content.decode()
    assert "<strong>50.0%</strong>" in html and "(2 of 4)" in html
    assert f'<th scope="row">KB-0001 {articles[1].title}</th><td>2</td>' in html


def test_kb_editors_see_the_votes_in_the_admin(client, editor, articles, admin):
    ArticleVote.cast(articles[1], admin, False, "Not our firmware")
    client.force_login(editor)
    assert "Not our firmware" in client.get("/admin/kb/articlevote/").content.decode()
    assert "Not our firmware" in client.get(f"/admin/kb/article/{articles[1].pk}/change/").content.decode()
    vote = ArticleVote.objects.get()
    assert client.post(f"/admin/kb/articlevote/{vote.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.post(f"/admin/kb/articlevote/{vote.pk}/change/", {"helpful": "on"}).status_code == 403
    assert ArticleVote.objects.get().helpful is False


def test_an_empty_metrics_page_says_no_data_once_per_chart(client, helpdesk):
    client.force_login(helpdesk)
    html = client.get("/tickets/metrics/").content.decode()
    cards = html.split('<section class="card"')[1:]
    assert len(cards) >= 6
    for card in cards:
        assert card.count("No data yet") <= 1 and card.count("<table") == 0
    votes = next(card for card in cards if 'id="m-helpful"' in card)
    assert "No answers yet, so no rate" in votes and "No data yet" not in votes  # said once
