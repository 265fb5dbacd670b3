"""'Was this helpful?' on the article page: one vote per reader and article, changeable, with a comment."""

import pytest
from django.contrib.auth.models import Permission

from kb.models import Article, ArticleVote

pytestmark = pytest.mark.django_db


@pytest.fixture
def article(guide):
    return Article.objects.get(number=6)


@pytest.fixture
def reader(django_user_model):
    return django_user_model.objects.create_user("reader")


def vote_url(article):
    return f"{article.get_absolute_url()}vote/"


def test_anonymous_readers_are_asked_to_log_in_and_cannot_vote(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Was this helpful?" in html and 'id="vote-form"' not in html
    assert f"/accounts/login/?next={article.get_absolute_url().replace('/', '%2F')}" in html or "Log in</a> to" in html
    response = client.post(vote_url(article), {"helpful": "yes"})
    assert response.status_code == 302 and "login" in response["Location"]
    assert not ArticleVote.objects.exists()


def test_a_vote_without_javascript_redirects_to_the_vote_with_a_confirmation(client, article, reader):
    client.force_login(reader)
    response = client.post(vote_url(article), {"helpful": "yes", "comment": "  Step 2 fixed it.  "})
    assert response.status_code == 302 and response["Location"] == f"{article.get_absolute_url()}#vote-heading"
    vote = ArticleVote.objects.get()
    assert (vote.article, vote.user, vote.helpful, vote.comment) == (article, reader, True, "Step 2 fixed it.")
    html = client.get(response["Location"]).content.decode()
    assert "Thank you for your feedback: you said this article was helpful." in html
    assert "Your answer: <strong>Yes</strong>" in html and "Step 2 fixed it.</textarea>" in html


def test_one_vote_per_reader_and_article_changeable(client, article, reader, django_user_model):
    client.force_login(reader)
    client.post(vote_url(article), {"helpful": "yes"})
    client.post(vote_url(article), {"helpful": "no", "comment": "Our case was different."})
    vote = ArticleVote.objects.get()
    assert vote.helpful is False and vote.comment == "Our case was different."
    client.force_login(django_user_model.objects.create_user("second"))
    client.post(vote_url(article), {"helpful": "yes"})
    client.post(vote_url(Article.objects.get(number=1)), {"helpful": "yes"})
    assert ArticleVote.objects.count() == 3
    assert article.votes.tally() == {"helpful": 1, "not_helpful": 1}
    assert ArticleVote.objects.tally() == {"helpful": 2, "not_helpful": 1}


def test_htmx_gets_the_form_and_a_confirmation_for_the_live_region(client, article, reader):
    client.force_login(reader)
    response = client.post(vote_url(article), {"helpful": "no"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<form id="vote-form"') and "<html" not in html
    assert '<p id="vote-status" hx-swap-oob="innerHTML">' in html
    assert "you said this article was not helpful" in html
    assert "Your answer: <strong>No</strong>" in html
    response = client.post(vote_url(article), {"helpful": "yes"}, headers={"HX-Request": "true"})
    assert "Your answer was changed: you said this article was helpful." in response.content.decode()


@pytest.mark.parametrize(
    "data, message",
    [
        ({}, "Choose Yes or No."),
        ({"helpful": "maybe"}, "Choose Yes or No."),
        ({"helpful": "yes", "comment": "x" * 1001}, "at most 1000 characters"),
    ],
)
def test_bad_votes_are_refused_with_a_message_and_the_comment_kept(client, article, reader, data, message):
    client.force_login(reader)
    data = {**data, "comment": data.get("comment", "kept words")}
    for headers in ({}, {"HX-Request": "true"}):
        response = client.post(vote_url(article), data, headers=headers)
        html = response.content.decode()
        assert response.status_code == 400 and message in html
        assert data["comment"][:50] in html  # nothing typed is lost
    assert not ArticleVote.objects.exists()


def test_unknown_article_is_404_and_get_is_405(client, reader, guide):
    client.force_login(reader)
    assert client.post("/kb/9999/nothing/vote/", {"helpful": "yes"}).status_code == 404
    assert client.get(vote_url(Article.objects.get(number=1))).status_code == 405


def test_votes_need_the_csrf_token(article, reader):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(reader)
    assert client.post(vote_url(article), {"helpful": "yes"}).status_code == 403
    assert not ArticleVote.objects.exists()


def test_the_vote_is_never_part_of_the_cached_body(client, article, reader, django_user_model):
    client.force_login(reader)
    client.post(vote_url(article), {"helpful": "yes", "comment": "mine"})
    client.force_login(django_user_model.objects.create_user("other"))
    html = client.get(article.get_absolute_url()).content.decode()
    assert "Your answer" not in html and ">mine</textarea>" not in html


def test_edit_link_for_kb_editors_only(client, article, reader):
    client.force_login(reader)
    edit = f"/admin/kb/article/{article.pk}/change/"
    assert edit not in client.get(article.get_absolute_url()).content.decode()
    reader.user_permissions.add(Permission.objects.get(codename="change_article"))
    html = client.get(article.get_absolute_url()).content.decode()
    assert f'href="{edit}"' in html and "Edit KB-0006 in the admin" in html


def test_copy_link_is_a_plain_link_without_javascript(client, article):
    html = client.get(article.get_absolute_url()).content.decode()
    url = f"http://testserver{article.get_absolute_url()}"
    assert f'<a href="{url}" id="article-link" class="article-link">{url}</a>' in html
    assert 'data-copy="article-link" hidden' in html  # portal.js shows the button when the clipboard is there


def test_admin_lists_votes_with_counts_and_filters(admin_client, article, reader, django_user_model):
    ArticleVote.cast(article, reader, False, "Missing the Exchange case")
    ArticleVote.cast(article, django_user_model.objects.create_user("yes-voter"), True)
    html = admin_client.get("/admin/kb/articlevote/").content.decode()
    assert "Missing the Exchange case" in html and "helpful__exact" in html
    html = admin_client.get("/admin/kb/articlevote/?helpful__exact=0").content.decode()
    assert "Missing the Exchange case" in html and "yes-voter" not in html
    html = admin_client.get("/admin/kb/article/?o=5").content.decode()  # sortable vote columns
    assert "Not helpful" in html and "Helpful" in html
    html = admin_client.get(f"/admin/kb/article/{article.pk}/change/").content.decode()
    assert "Missing the Exchange case" in html  # the inline
    assert admin_client.get("/admin/kb/articlevote/add/").status_code == 403
