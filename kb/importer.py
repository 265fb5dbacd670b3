"""Turn the vendor guide's Problem/Solution text into knowledge-base rows.

Two halves: `parse_guide()` is pure parsing (text -> `GuideArticle` data), `import_guide()` writes
that data in one transaction and never overwrites an article an editor changed since the last import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify

from kb.models import Article, Category, Cause, CLIBlock, CLIVariant, Step, Symptom, fingerprint
from kb.symptoms import default_pattern


class GuideError(Exception):
    """The guide file cannot be imported (missing, empty or not in the expected shape)."""


# Editorial seed data: which category an article starts in and which checks it suggests,
# chosen by words of its problem statement. Editors change both in the admin afterwards.
CATEGORIES = [
    ("relay access", "Relay and routing", "Relay permissions and where mail is routed."),
    ("bypassed", "Scanning bypass", "Mail that reaches users without being scanned."),
    ("recipient verification", "Recipient verification", "Checking recipients against the mail server."),
    ("try again later", "Temporary failures", "4xx replies, greylisting and retries."),
    ("milter", "FortiGuard and DNS", "Lookups the gateway makes while scanning: DNSBL, SURBL, FortiGuard."),
]
SUGGESTED_CHECKS = [
    ("relay access", "relay_denied"),
    ("bypassed", "mx_records"),
    ("recipient verification", "smtp_recipient_verification"),
    ("try again later", "smtp_recipient_verification"),
    ("fas_milter", "dnsbl_latency"),
    ("mailfilterd", "fortiguard_egress"),
]
# Firmware-specific spellings of CLI commands: (guide text, first firmware, replacement, note).
KNOWN_CLI_VARIANTS = [
    ("uri-redirect-lookup", "7.2.7", "url-redirect-lookup", "FortiMail 7.2.7 and later spell the keyword url-."),
]

CLI_LINE_RE = re.compile(r"^(config|set|unset|end|edit|next|execute|get|show|diagnose)\b(?!.*\.$)")
NUMBERED_RE = re.compile(r"^\d+\.\s+(.*)$")
BULLET_RE = re.compile(r"^[•*-]\s+(.*)$")
SMTP_REPLY_RE = re.compile(r"\b[45]\d\d(?: [245]\.\d{1,3}\.\d{1,3})? [A-Z][a-z]+(?: [a-z]+)+")
LOG_MESSAGE_RE = re.compile(r"(?:event log shows|log, such as) (.+?)\.(?:\s|$)")
REPLY_CODE_MENTION_RE = re.compile(r"\b([45]\d\d) SMTP reply code")
CAUSES_INTRO_RE = re.compile(r"causes(?: include)?[:.]$", re.IGNORECASE)
SINGLE_CAUSE_INTRO_RE = re.compile(r"following reason:$", re.IGNORECASE)  # a bare lead-in, not a summary
FIRST_SENTENCE_RE = re.compile(r"^.+?\.(?=\s|$)")
SENTENCE_END_RE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")
# A sentence that tells the reader what to do: in a solution without numbered steps it becomes a step.
INSTRUCTION_RE = re.compile(r"\b(?:verify|check|confirm|make sure|ensure)\b", re.IGNORECASE)
INSTRUCTIONS_TITLE = "What to check"


@dataclass
class GuideStep:
    text: str
    alternative: bool = False
    cli: list[str] = field(default_factory=list)  # consecutive CLI lines: one block

    def cli_blocks(self) -> list[str]:
        return ["\n".join(self.cli)] if self.cli else []


@dataclass
class GuideSymptom:
    kind: str
    text: str


@dataclass
class GuideArticle:
    title: str
    summary: str = ""
    explanation: list[str] = field(default_factory=list)
    steps_title: str = ""
    closing_note: list[str] = field(default_factory=list)
    causes: list[str] = field(default_factory=list)
    steps: list[GuideStep] = field(default_factory=list)
    symptoms: list[GuideSymptom] = field(default_factory=list)

    @property
    def key(self) -> str:
        return slugify(self.title)[:120]

    def full_text(self) -> str:
        parts = [self.title, self.summary, *self.explanation, *self.causes, *self.closing_note]
        parts += [s.text for s in self.steps]
        return "\n".join(parts)

    def content(self) -> dict:
        """The same shape as `Article.content()`, to compare guide and database."""
        return {
            "title": self.title,
            "summary": self.summary,
            "explanation": "\n".join(self.explanation),
            "steps_title": self.steps_title,
            "closing_note": "\n".join(self.closing_note),
            "causes": list(self.causes),
            "steps": [{"text": s.text, "alternative": s.alternative, "cli": s.cli_blocks()} for s in self.steps],
            "symptoms": sorted(s.text for s in self.symptoms),
        }


@dataclass
class ImportReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)

    def summary(self) -> str:
        total = len(self.created) + len(self.updated) + len(self.unchanged) + len(self.conflicts)
        return (
            f"{total} articles: {len(self.created)} created, {len(self.updated)} updated, "
            f"{len(self.unchanged)} unchanged, {len(self.conflicts)} conflicts"
        )


# --- Parsing -----------------------------------------------------------------------------------


def parse_guide(text: str) -> list[GuideArticle]:
    """Parse the guide; each problem once, in the order of its first appearance."""
    if not text.strip():
        raise GuideError("The guide file is empty.")
    lines = [line.strip() for line in text.replace("\r\n", "\n").split("\n")]
    sections = _problem_sections(lines)
    if not sections:
        raise GuideError("No 'Problem' / 'Solution' sections found: is this the 'Troubleshoot MTA issues' guide?")
    articles: dict[str, GuideArticle] = {}
    for title, solution in sections:
        article = _parse_solution(title, solution)
        articles.setdefault(article.key, article)
    result = list(articles.values())
    _attach_symptoms(result)
    return result


def _problem_sections(lines: list[str]) -> list[tuple[str, list[str]]]:
    sections = []
    i = 0
    while i < len(lines):
        if lines[i] != "Problem":
            i += 1
            continue
        j = i + 1
        statement = []
        while j < len(lines) and lines[j] != "Solution":
            if lines[j] == "Problem":
                raise GuideError(f"Problem at line {i + 1} has no 'Solution' section.")
            if lines[j]:
                statement.append(lines[j])
            j += 1
        if j == len(lines):
            raise GuideError(f"Problem at line {i + 1} has no 'Solution' section.")
        if not statement:
            raise GuideError(f"Problem at line {i + 1} has no problem statement.")
        k = j + 1
        body = []
        while k < len(lines) and lines[k] not in ("Problem", "Troubleshoot MTA issues"):
            if lines[k]:
                body.append(lines[k])
            k += 1
        if not body:
            raise GuideError(f"Solution at line {j + 1} is empty.")
        sections.append((" ".join(statement), body))
        i = k
    return sections


def _parse_solution(title: str, body: list[str]) -> GuideArticle:
    article = GuideArticle(title=title)
    in_steps = False
    causes_follow = False
    cause_paragraph_follows = False
    summary_is_cause = False
    next_is_alternative = False
    for line in body:
        numbered, bullet = NUMBERED_RE.match(line), BULLET_RE.match(line)
        if CLI_LINE_RE.match(line) and article.steps:
            article.steps[-1].cli.append(line)
        elif line == "or":
            next_is_alternative = True
        elif numbered or (bullet and in_steps):
            item = (numbered or bullet).group(1)
            article.steps.append(GuideStep(text=item, alternative=next_is_alternative))
            next_is_alternative = False
        elif bullet and causes_follow:
            article.causes.append(bullet.group(1))
        elif bullet:
            article.explanation.append(bullet.group(1))
        elif line.startswith("To ") and not line.endswith("."):
            article.steps_title = line
            in_steps = True
        elif article.steps:
            article.closing_note.append(line)
        elif cause_paragraph_follows:
            article.causes.append(line)
            cause_paragraph_follows = False
        elif SINGLE_CAUSE_INTRO_RE.search(line):  # "This may be caused by the following reason:"
            cause_paragraph_follows = True
            summary_is_cause = summary_is_cause or not article.summary
        else:
            if not article.summary and not summary_is_cause:
                article.summary = line
            else:
                article.explanation.append(line)
            causes_follow = bool(CAUSES_INTRO_RE.search(line))
    if summary_is_cause and article.causes:
        # The solution opens with its cause ("caused by the following reason:"), shown under the causes: the
        # explanation that follows says what it means, rather than the cause's first sentence again.
        article.summary = article.explanation.pop(0) if article.explanation else ""
    if article.summary and any(cause.startswith(article.summary) for cause in article.causes):
        article.summary = ""  # "What it means" never repeats a cause word for word
    if not article.steps:
        _steps_from_instructions(article)
    return article


def _steps_from_instructions(article: GuideArticle) -> None:
    """A solution without numbered steps still tells the reader what to do, inside its paragraphs ("..., verify
    that the SMTP client has not exceeded ..."): those sentences become its steps, in order, and leave the
    paragraphs, whose other sentences stay where they were."""
    steps: list[GuideStep] = []

    def keep(paragraph: str) -> str:
        sentences = SENTENCE_END_RE.split(paragraph)
        steps.extend(GuideStep(text=s) for s in sentences if INSTRUCTION_RE.search(s))
        return " ".join(s for s in sentences if not INSTRUCTION_RE.search(s))

    summary = keep(article.summary)
    explanation = [kept for kept in (keep(p) for p in article.explanation) if kept]
    if not steps:
        return
    article.summary, article.explanation, article.steps = summary, explanation, steps
    if not article.summary and article.explanation:
        article.summary = article.explanation.pop(0)
    article.steps_title = article.steps_title or INSTRUCTIONS_TITLE


def _attach_symptoms(articles: list[GuideArticle]) -> None:
    """Find SMTP replies, log messages and behaviours; share them between articles that mention them."""
    for article in articles:
        title = article.title.rstrip(".")
        found = [GuideSymptom(Symptom.Kind.SMTP_REPLY, m.group(0)) for m in SMTP_REPLY_RE.finditer(title)]
        found += [GuideSymptom(Symptom.Kind.LOG_MESSAGE, m) for m in LOG_MESSAGE_RE.findall(article.title + " ")]
        if not found:
            found.append(GuideSymptom(Symptom.Kind.BEHAVIOUR, title))
        elif ", and " in title and not SMTP_REPLY_RE.search(title.split(", and ")[0]):
            found.append(GuideSymptom(Symptom.Kind.BEHAVIOUR, title.split(", and ")[0]))
        body = "\n".join([article.summary, *article.explanation, *article.causes, *article.closing_note]) + " "
        found += [GuideSymptom(Symptom.Kind.LOG_MESSAGE, m) for m in LOG_MESSAGE_RE.findall(body)]
        found += [GuideSymptom(Symptom.Kind.SMTP_REPLY, m.group(0)) for m in SMTP_REPLY_RE.finditer(body)]
        article.symptoms = _unique(found)
    replies = [s for a in articles for s in a.symptoms if s.kind == Symptom.Kind.SMTP_REPLY]
    for article in articles:
        for code in REPLY_CODE_MENTION_RE.findall(article.full_text()):
            article.symptoms = _unique(article.symptoms + [s for s in replies if s.text.startswith(code + " ")])


def _unique(symptoms: list[GuideSymptom]) -> list[GuideSymptom]:
    seen: dict[str, GuideSymptom] = {}
    for symptom in symptoms:
        seen.setdefault(symptom.text, symptom)
    return list(seen.values())


# --- Writing -----------------------------------------------------------------------------------


def import_guide(text: str, *, force: bool = False) -> ImportReport:
    """Parse first, then write everything in one transaction."""
    parsed = parse_guide(text)
    report = ImportReport()
    with transaction.atomic():
        for guide_article in parsed:
            _import_article(guide_article, report, force=force)
    return report


def _import_article(data: GuideArticle, report: ImportReport, *, force: bool) -> None:
    new_fingerprint = fingerprint(data.content())
    article = Article.objects.filter(guide_key=data.key).first()
    if article is None:
        article = _create_article(data)
        report.created.append(article.kb_number)
    else:
        current = article.content_fingerprint()
        if current == new_fingerprint:
            report.unchanged.append(article.kb_number)
            if article.imported_fingerprint != new_fingerprint:
                Article.objects.filter(pk=article.pk).update(imported_fingerprint=new_fingerprint)
            return
        if current != article.imported_fingerprint and not force:
            report.conflicts.append(article.kb_number)
            return
        _write_content(article, data)
        report.updated.append(article.kb_number)
    article.imported_fingerprint = new_fingerprint
    article.save(update_fields=["imported_fingerprint", "updated_at"])


def _create_article(data: GuideArticle) -> Article:
    number = (Article.objects.aggregate(n=Max("number"))["n"] or 0) + 1
    slug = slugify(data.title)[:80]
    if Article.objects.filter(slug=slug).exists():
        slug = f"{slug[:70]}-{number}"
    title_lower = data.title.lower()
    category = _category_for(title_lower)
    article = Article(
        number=number,
        slug=slug,
        guide_key=data.key,
        title=data.title,
        category=category,
        suggested_checks=[check for word, check in SUGGESTED_CHECKS if word in title_lower],
    )
    _write_content(article, data)
    for other in Article.objects.exclude(pk=article.pk):
        shares_symptom = other.symptoms.filter(pk__in=article.symptoms.all()).exists()
        if other.category_id == category.pk or shares_symptom:
            article.related.add(other)
    return article


def _category_for(title_lower: str) -> Category:
    for position, (word, name, description) in enumerate(CATEGORIES):
        if word in title_lower:
            category, _ = Category.objects.get_or_create(
                slug=slugify(name), defaults={"name": name, "description": description, "position": position}
            )
            return category
    category, _ = Category.objects.get_or_create(slug="general", defaults={"name": "General", "position": 99})
    return category


def _write_content(article: Article, data: GuideArticle) -> None:
    article.title = data.title
    article.summary = data.summary
    article.explanation = "\n".join(data.explanation)
    article.steps_title = data.steps_title
    article.closing_note = "\n".join(data.closing_note)
    article.save()
    article.causes.all().delete()
    Cause.objects.bulk_create(Cause(article=article, position=i, text=t) for i, t in enumerate(data.causes, 1))
    article.steps.all().delete()
    for position, guide_step in enumerate(data.steps, 1):
        step = Step.objects.create(
            article=article, position=position, text=guide_step.text, alternative=guide_step.alternative
        )
        for position, text in enumerate(guide_step.cli_blocks(), 1):
            _create_cli_block(step, position, text)
    article.symptoms.set([_symptom(s) for s in data.symptoms])


def _create_cli_block(step: Step, position: int, text: str) -> CLIBlock:
    block = CLIBlock.objects.create(step=step, position=position, text=text)
    for needle, firmware, replacement, note in KNOWN_CLI_VARIANTS:
        if needle in text:
            CLIVariant.objects.create(
                block=block, min_firmware=firmware, text=text.replace(needle, replacement), note=note
            )
    return block


def _symptom(data: GuideSymptom) -> Symptom:
    symptom, _ = Symptom.objects.get_or_create(
        text=data.text, defaults={"kind": data.kind, "pattern": default_pattern(data.kind, data.text)}
    )
    return symptom
