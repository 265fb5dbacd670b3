"""Knowledge-base pages: home, categories and articles."""

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from kb.content import ArticleBody, article_page
from kb.models import Article, Category, CLIVariant

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


def article(request: HttpRequest, number: int, slug: str) -> HttpResponse:
    article, body = _article_page(request, number)
    if article.slug != slug:
        return redirect(article, permanent=True)
    article.record_view()
    return render(request, "kb/article.html", {"article": article, "body": body})


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
