"""The guide import, against the real guide file shipped with the project."""

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from kb.importer import GuideError, import_guide, parse_guide
from kb.models import Article, Cause, CLIBlock, CLIVariant, Step, Symptom

pytestmark = pytest.mark.django_db


def guide_text() -> str:
    return settings.GUIDE_PATH.read_text(encoding="utf-8")


def table_counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Article, Symptom, Cause, Step, CLIBlock, CLIVariant)}


def test_guide_gives_nine_articles_each_problem_once(guide):
    assert Article.objects.count() == 9
    assert len(guide.created) == 9
    assert list(Article.objects.values_list("number", flat=True)) == list(range(1, 10))
    assert Article.objects.get(number=1).title == "SMTP clients receive the message 550 5.7.1 Relay access denied."


def test_exchange_article_has_eight_steps_in_order(guide):
    article = Article.objects.get(title__startswith="When recipient verification is enabled on the Microsoft Exchange")
    steps = list(article.steps.values_list("text", flat=True))
    assert len(steps) == 8
    assert steps[0].startswith("Open the Microsoft Exchange system manager and go to Global settings")
    assert steps[1] == "Enable Recipient Filtering."
    assert steps[2] == "Click Filter recipients who are not in the Directory."
    assert steps[6] == "Click Apply Recipient Filter."
    assert steps[7] == "Click OK."
    assert article.steps_title == "To configure recipient verification on a Microsoft Exchange server"
    assert article.closing_note.startswith("To test the configuration, open a Telnet connection to port 25")


def test_cli_block_is_kept_verbatim_with_firmware_variant(guide):
    block = CLIBlock.objects.get()
    assert block.text.splitlines() == ["config system fortiguard antispam", "set uri-redirect-lookup disable", "end"]
    assert block.step.article.number == 8
    assert block.step.alternative is True
    variant = block.variants.get()
    assert variant.min_firmware == "7.2.7"
    assert variant.text.splitlines()[1] == "set url-redirect-lookup disable"
    assert block.text_for("") == block.text
    assert block.text_for("7.2.6") == block.text
    assert block.text_for("7.4.0") == variant.text


def test_451_article_has_its_two_causes(guide):
    article = Article.objects.get(title="SMTP clients receive the message 451 Try again later.")
    causes = list(article.causes.values_list("text", flat=True))
    assert len(causes) == 2
    assert causes[0].startswith("The greylist routine has encountered an unknown sender")
    assert causes[1].startswith("Recipient verification is enabled and the FortiMail unit is unable to connect")


def test_recipient_verification_article_has_its_three_causes(guide):
    article = Article.objects.get(title="Recipient verification through SMTP fails.")
    assert list(article.causes.values_list("text", flat=True)) == [
        "The SMTP server is not available.",
        "The network connection is not reliable between the FortiMail unit and the SMTP server.",
        "The server is a Microsoft Exchange server and SMTP recipient verification is not enabled and configured.",
    ]


def test_a_bare_lead_in_is_not_a_summary_and_the_cause_is_not_repeated_as_its_meaning(guide):
    article = Article.objects.get(number=8)  # its solution opens "This may be caused by the following reason:"
    causes = list(article.causes.values_list("text", flat=True))
    assert causes == [next(c for c in causes if c.startswith("If an email message contains a shortened URL"))]
    assert "following reason" not in article.summary + article.explanation
    # "What it means" is what follows the cause in the guide, not the cause's first sentence again
    assert article.summary.startswith("This also means, if the upstreaming device")
    assert "shortened URL" not in article.summary + article.explanation
    for cause in causes:
        assert not cause.startswith(article.summary) and article.summary not in cause
    assert Article.objects.get(number=6).summary.startswith("There are several situations")  # a real summary stays


def test_no_article_shows_a_cause_as_its_meaning(guide):
    for article in Article.objects.prefetch_related("causes"):
        for cause in article.causes.all():
            assert article.summary.strip() != cause.text.strip(), article.kb_number
            assert not (article.summary and cause.text.startswith(article.summary)), article.kb_number


def test_a_solution_without_numbered_steps_takes_its_steps_from_what_it_tells_the_reader_to_do(guide):
    article = Article.objects.get(number=1)  # 550 5.7.1 Relay access denied: no numbered steps in the guide
    steps = list(article.steps.values_list("text", flat=True))
    assert steps == [
        "If you receive a 5.7.1 error message that does not mention relay access, and sender reputation or endpoint "
        "reputation is enabled, verify that the SMTP client has not exceeded the reputation score threshold for "
        "rejection."
    ]
    assert article.steps_title == "What to check"
    assert article.summary == "This indicates rejection due to lack of relay permission."
    assert "verify" not in article.explanation  # moved, not copied

    antispam = Article.objects.get(number=4)
    assert [s[:40] for s in antispam.steps.values_list("text", flat=True)] == [
        "If antivirus scans occur, but antispam s",
        "Additionally, verify that either the Byp",
    ]
    assert antispam.summary == "Safelist entries cause the FortiMail unit to omit antispam scans."
    milter = Article.objects.get(number=7)  # the instruction was the last sentence of a paragraph
    assert milter.steps.get().text.startswith("If this problem is persistent, verify connectivity")
    assert milter.explanation.endswith("In most cases, the sending MTA will retry delivery later.")
    # numbered steps stay as they are, and an article whose guide text tells nothing to do gets none
    assert Article.objects.get(number=9).steps.count() == 8
    assert Article.objects.get(number=9).steps_title.startswith("To configure recipient verification")
    assert Article.objects.get(number=5).steps.count() == 0


def test_every_article_has_steps_or_causes(guide):
    for article in Article.objects.all():
        assert article.steps.exists() or article.causes.exists(), article.kb_number


def test_smtp_and_log_symptoms_are_stored_with_their_kinds(guide):
    kinds = dict(Symptom.objects.values_list("text", "kind"))
    assert kinds["550 5.7.1 Relay access denied"] == Symptom.Kind.SMTP_REPLY
    assert kinds["451 Try again later"] == Symptom.Kind.SMTP_REPLY
    assert kinds["Milter (fas_milter): timeout before data read"] == Symptom.Kind.LOG_MESSAGE
    assert kinds["Milter (mailfilterd): timeout before data read, where=eom"] == Symptom.Kind.LOG_MESSAGE
    assert kinds["Verify <user@example.com> Failed, return TEMPFAIL"] == Symptom.Kind.LOG_MESSAGE
    assert kinds["The FortiMail unit is bypassed"] == Symptom.Kind.BEHAVIOUR


def test_a_symptom_belongs_to_every_article_that_names_it(guide):
    numbers = Symptom.objects.get(text="451 Try again later").articles.values_list("number", flat=True)
    assert sorted(numbers) == [5, 6]


def test_related_articles_are_symmetric(guide):
    bypassed = Article.objects.get(number=2)
    assert set(bypassed.related.values_list("number", flat=True)) == {3, 4}
    assert bypassed in Article.objects.get(number=3).related.all()


def test_reimport_changes_nothing(guide):
    before = table_counts()
    stamps = dict(Article.objects.values_list("number", "updated_at"))
    report = import_guide(guide_text())
    assert (len(report.created), len(report.updated), len(report.conflicts)) == (0, 0, 0)
    assert len(report.unchanged) == 9
    assert table_counts() == before
    assert dict(Article.objects.values_list("number", "updated_at")) == stamps


def test_edited_article_is_reported_as_conflict_and_left_alone(guide, capsys):
    article = Article.objects.get(number=6)
    article.summary = "Edited by an editor."
    article.save()
    call_command("import_guide")
    out, err = capsys.readouterr()
    assert "1 conflicts" in out
    assert "KB-0006" in err
    assert Article.objects.get(number=6).summary == "Edited by an editor."


def test_force_overwrites_an_edited_article(guide):
    Step.objects.filter(article__number=9, position=8).update(text="Click Cancel.")
    report = import_guide(guide_text(), force=True)
    assert report.updated == ["KB-0009"]
    assert Article.objects.get(number=9).steps.get(position=8).text == "Click OK."


def test_changed_guide_updates_an_unedited_article(guide):
    report = import_guide(guide_text().replace("Click OK.", "Click OK to save."))
    assert report.updated == ["KB-0009"]
    assert Article.objects.get(number=9).steps.get(position=8).text == "Click OK to save."


def test_import_command_prints_one_line_summary(db, capsys):
    call_command("import_guide")
    out = capsys.readouterr().out.strip()
    assert out == "Imported 9 articles: 9 created, 0 updated, 0 unchanged, 0 conflicts."


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (None, "not found"),
        ("", "empty"),
        ("Just some text\nwith no problems in it\n", "No 'Problem'"),
        ("Problem\n\nSomething broke.\n\nProblem\n", "no 'Solution'"),
    ],
)
def test_bad_file_gives_clear_error_and_leaves_database_unchanged(guide, tmp_path, content, message):
    path = tmp_path / "guide.txt"
    if content is not None:
        path.write_text(content, encoding="utf-8")
    before = table_counts()
    with pytest.raises(CommandError, match=message):
        call_command("import_guide", str(path))
    assert table_counts() == before


def test_failure_half_way_rolls_back_every_row(db, monkeypatch):
    from kb import importer

    real = importer._import_article
    calls = []

    def fail_on_fifth(data, report, *, force):
        calls.append(data.key)
        if len(calls) == 5:
            raise RuntimeError("disk full")
        real(data, report, force=force)

    monkeypatch.setattr(importer, "_import_article", fail_on_fifth)
    with pytest.raises(RuntimeError):
        import_guide(guide_text())
    assert table_counts() == dict.fromkeys(table_counts(), 0)


def test_parser_needs_no_database():
    articles = parse_guide(guide_text())
    assert [a.title[:20] for a in articles][:2] == ["SMTP clients receive", "The FortiMail unit i"]
    with pytest.raises(GuideError):
        parse_guide("   \n")
