"""Knowledge-base pages: home, categories and articles, and the article's "Was this helpful?" vote."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kb.content import ArticleBody, article_page
from kb.forms import VoteForm
from kb.models import Article, ArticleVote, Category, CLIVariant

FIRMWARE_SESSION_KEY = "firmware"


def home(request: HttpRequest) -> HttpResponse:
    articles = Article.objects.for_listing()
    context = {
        "categories": Category.objects.annotate(article_count=Count("articles")),
        "most_viewed": articles.order_by("-views", "number")[:5],
        "recently_updated": articles.order_by("-updated_at", "number")[:5],
    }
    return render(request, "kb/home.html", context)


def category(request: HttpRequest, slug: str) -> HttpResponse:
    category = get_object_or_404(Category, slug=slug)
    articles = category.articles.for_listing().prefetch_related("symptoms")
    return render(request, "kb/category.html", {"category": category, "articles": articles})


def article_by_number(request: HttpRequest, number: int) -> HttpResponse:
    article = get_object_or_404(Article.objects.only("number", "slug"), number=number)
    return redirect(article, permanent=True)


def _article_page(request: HttpRequest, number: int) -> tuple[Article, ArticleBody]:
    """The article and its body (cached until it changes), CLI blocks in the reader's firmware spelling."""
    return article_page(number, request.session.get(FIRMWARE_SESSION_KEY, ""))


def vote_context(request: HttpRequest, article: Article, form: VoteForm | None = None) -> dict:
    """The reader's own part of the article page (never cached with the body): their vote and its form."""
    vote = None
    if request.user.is_authenticated:
        vote = ArticleVote.objects.filter(article_id=article.pk, user_id=request.user.pk).first()
    if form is None:
        form = VoteForm(initial={"comment": vote.comment} if vote else None)
    return {"vote": vote, "vote_form": form}


def render_article(
    request: HttpRequest, article: Article, body: ArticleBody, form: VoteForm | None = None, status: int = 200
) -> HttpResponse:
    context = {"article": article, "body": body, **vote_context(request, article, form)}
    context["article_url"] = request.build_absolute_uri(article.get_absolute_url())
    context["may_edit"] = request.user.has_perm("kb.change_article")
    return render(request, "kb/article.html", context, status=status)


def article(request: HttpRequest, number: int, slug: str) -> HttpResponse:
    article, body = _article_page(request, number)
    if article.slug != slug:
        return redirect(article, permanent=True)
    article.record_view()
    return render_article(request, article, body)


def vote_message(vote: ArticleVote, created: bool) -> str:
    answer = "helpful" if vote.helpful else "not helpful"
    saved = "Thank you for your feedback" if created else "Your answer was changed"
    return f"{saved}: you said this article was {answer}." + (" Your comment was saved." if vote.comment else "")


@require_POST
@login_required
def vote(request: HttpRequest, number: int, slug: str) -> HttpResponse:
    """Record the reader's "Was this helpful?" answer (one per reader and article; a new answer replaces it).

    htmx gets the vote form again and the confirmation for the page's live region; without JavaScript the POST
    redirects to the article's vote section with the confirmation as a message."""
    article = get_object_or_404(Article.objects.only("pk", "number", "slug"), number=number)
    form = VoteForm(request.POST)
    if not form.is_valid():
        if request.htmx:
            context = {"article": article, **vote_context(request, article, form)}
            context["vote_message"] = "Not saved: see the message by the form."
            return render(request, "kb/article.html#vote-answer", context, status=400)
        article, body = _article_page(request, number)
        return render_article(request, article, body, form=form, status=400)
    vote, created = ArticleVote.cast(article, request.user, form.cleaned_data["helpful"], form.cleaned_data["comment"])
    message = vote_message(vote, created)
    if request.htmx:
        context = {"article": article, "vote": vote, "vote_form": VoteForm(initial={"comment": vote.comment})}
        return render(request, "kb/article.html#vote-answer", {**context, "vote_message": message})
    messages.success(request, message)
    return redirect(article.get_absolute_url() + "#vote-heading")


@require_POST
def set_firmware(request: HttpRequest, number: int, slug: str) -> HttpResponse:
    """Remember the reader's FortiMail firmware; CLI blocks then show that firmware's spelling."""
    firmware = request.POST.get("firmware", "")
    if firmware and firmware not in CLIVariant.firmware_choices():
        return HttpResponse("Unknown firmware version.", status=400, content_type="text/plain")
    request.session[FIRMWARE_SESSION_KEY] = firmware
    article, body = _article_page(request, number)
    if request.htmx:
        return render(request, "kb/article.html#steps", {"article": article, "body": body})
    return redirect(article)
