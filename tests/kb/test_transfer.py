"""export_kb / import_kb: a knowledge base survives a round trip to another installation."""

import json

import pytest
from django.core.management import CommandError, call_command

from kb.models import Article, Category, Cause, CLIBlock, CLIVariant, Step, Symptom
from kb.transfer import export_kb, import_kb

pytestmark = pytest.mark.django_db
MODELS = (Article, Category, Symptom, Cause, Step, CLIBlock, CLIVariant)


def wipe() -> None:
    for model in (Article, Symptom, Category):
        model.objects.all().delete()


def test_round_trip_restores_everything(guide, tmp_path):
    Step.objects.filter(article__number=2, position=2).update(parent=Step.objects.get(article__number=2, position=1))
    before = export_kb()
    path = tmp_path / "kb.json"
    call_command("export_kb", str(path))
    wipe()
    assert Article.objects.count() == 0
    call_command("import_kb", str(path))
    assert export_kb() == before
    assert Article.objects.get(number=2).steps.get(position=2).parent.position == 1
    assert CLIVariant.objects.get().text.splitlines()[1] == "set url-redirect-lookup disable"
    assert set(Article.objects.get(number=5).related.values_list("number", flat=True)) == {6, 9}


def test_export_uses_natural_keys(guide):
    document = export_kb()
    article = next(a for a in document["articles"] if a["number"] == 6)
    assert article["category"] == "temporary-failures"
    assert "451 Try again later" in article["symptoms"]
    assert "id" not in article and "pk" not in article


def test_reimport_into_a_filled_database_changes_nothing(guide):
    document = export_kb()
    counts = {m.__name__: m.objects.count() for m in MODELS}
    import_kb(json.loads(json.dumps(document)))
    assert {m.__name__: m.objects.count() for m in MODELS} == counts
    assert export_kb() == document


def test_guide_import_still_sees_no_conflicts_after_a_restore(guide):
    document = export_kb()
    wipe()
    import_kb(document)
    call_command("import_guide")
    assert Article.objects.count() == 9


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "Cannot read"),
        ('{"format": "something else"}', "Not a knowledge-base export"),
        ('{"format": "mta-portal-kb", "version": 99}', "Unsupported export version"),
        ('{"format": "mta-portal-kb", "version": 1, "categories": []}', "incomplete or malformed"),
    ],
)
def test_bad_files_are_refused_and_change_nothing(guide, tmp_path, content, message):
    path = tmp_path / "bad.json"
    path.write_text(content)
    before = export_kb()
    with pytest.raises(CommandError, match=message):
        call_command("import_kb", str(path))
    assert export_kb() == before


def test_failure_half_way_leaves_nothing_half_written(guide):
    document = export_kb()
    wipe()
    document["articles"][4]["category"] = "no-such-category"  # the fifth article fails after four were written
    with pytest.raises(Exception, match="incomplete or malformed"):
        import_kb(document)
    assert Article.objects.count() == 0 and Category.objects.count() == 0 and Symptom.objects.count() == 0
