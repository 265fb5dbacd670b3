import os
import shutil
import tempfile
import time
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

from kb.relevance.evaluation import (
    Bm25Baseline,
    EvalSetError,
    LabelledText,
    Scores,
    article_documents,
    engine_ranker,
    load_set,
    score,
)

DEFAULT_SET = Path(settings.BASE_DIR) / "kb" / "data" / "search_eval.json"
TEXT_SHOWN = 110


class Command(BaseCommand):
    help = (
        "Measure search relevance on the labelled set (top-1, top-3, MRR, out-of-KB precision) beside a naive bm25 "
        "baseline, on the guide alone and with distractor articles, in a temporary database (never the configured one)."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--set", dest="set_path", default=str(DEFAULT_SET), help="The labelled set (JSON).")
        parser.add_argument(
            "--distractors", type=int, default=320, help="Distractor articles for the second run (0: guide only)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Seed of the distractor generator.")
        parser.add_argument("--limit", type=int, default=10, help="Results looked at per text (MRR depth).")
        parser.add_argument("--show-misses", action="store_true", help="List each missed text and what came first.")

    def handle(
        self, *args, set_path: str, distractors: int, seed: int, limit: int, show_misses: bool, **options
    ) -> None:
        from kb.relevance.distractors import max_distractors

        if not 0 <= distractors <= max_distractors() or not 1 <= limit <= 100:
            raise CommandError(f"--distractors must be between 0 and {max_distractors()}, --limit between 1 and 100.")
        try:
            self.texts, self.titles = load_set(Path(set_path))
        except EvalSetError as exc:
            raise CommandError(str(exc)) from None
        self.limit, self.show_misses = limit, show_misses
        old_name = connection.settings_dict["NAME"]
        if connection.vendor == "sqlite":
            scratch = str(Path(tempfile.mkdtemp(prefix="eval_search_")) / "eval.sqlite3")
        else:
            scratch = f"eval_search_{os.getpid()}"
        if scratch == old_name:  # pragma: no cover - impossible by construction; never touch the real DB
            raise CommandError("Refusing to evaluate on the configured database.")
        connection.settings_dict.setdefault("TEST", {})["NAME"] = scratch
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        try:
            self.run(distractors, seed)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
            if connection.vendor == "sqlite":
                shutil.rmtree(Path(scratch).parent, ignore_errors=True)

    def run(self, distractors: int, seed: int) -> None:
        from kb.importer import import_guide
        from kb.models import Article
        from kb.relevance.distractors import distractor_kb
        from kb.transfer import import_kb

        import_guide(settings.GUIDE_PATH.read_text(encoding="utf-8"))
        guide = dict(Article.objects.values_list("number", "title"))
        changed = [n for n, title in self.titles.items() if guide.get(n, "").rstrip(".") != title.rstrip(".")]
        if changed:
            raise CommandError(f"The guide's articles {changed} are not those the set was labelled against.")
        covered = sum(t.covered for t in self.texts)
        self.stdout.write(
            f"Search relevance on {len(self.texts)} texts ({covered} covered, {len(self.texts) - covered} not "
            f"covered by the guide); {connection.vendor}, first {self.limit} results per text."
        )
        self.header()
        self.measure(f"guide ({len(guide)})", set(guide))
        if distractors:
            started = time.perf_counter()
            with transaction.atomic():
                import_kb(distractor_kb(distractors, seed))
            self.stdout.write(f"(imported {distractors} distractor articles in {time.perf_counter() - started:.0f} s)")
            self.measure(f"guide + {distractors} distractors", set(guide))

    def header(self) -> None:
        self.stdout.write(
            f"{'KB':<26} {'ranker':<7} {'top-1':>13} {'top-3':>13} {'MRR':>6} {'out-of-KB prec.':>16} "
            f"{'strong top-1':>13}"
        )

    def measure(self, label: str, guide_numbers: set[int]) -> None:
        baseline = Bm25Baseline(article_documents())
        try:
            rows = [
                ("engine", score(self.texts, engine_ranker(self.limit), guide_numbers)),
                ("bm25", score(self.texts, baseline.ranker(self.limit), guide_numbers)),
            ]
        finally:
            baseline.close()
        for ranker, scores in rows:
            self.stdout.write(
                f"{label:<26} {ranker:<7} {_share(scores.top1, scores.covered):>13} "
                f"{_share(scores.top3, scores.covered):>13} {scores.mrr:>6.3f} "
                f"{_share(scores.uncovered_clean, scores.uncovered):>16} "
                f"{_share(scores.strong_top1, scores.covered):>13}"
            )
        for ranker, scores in rows:
            kinds = ", ".join(f"{kind} {right}/{total}" for kind, (total, right) in sorted(scores.by_kind.items()))
            self.stdout.write(f"{'':<26} {ranker:<7} top-1 by kind: {kinds}")
        if self.show_misses:
            self.misses(label, rows[0][1])

    def misses(self, label: str, scores: Scores) -> None:
        from kb.models import Article, format_kb_number

        numbers = {n for miss in scores.misses for n in miss.ranking.numbers[:3]}
        titles = dict(Article.objects.filter(number__in=numbers).values_list("number", "title"))
        self.stdout.write(f"  engine misses, {label}: {len(scores.misses)}")
        for miss in scores.misses:
            text: LabelledText = miss.text
            wanted = ", ".join(format_kb_number(n) for n in text.articles) or "none (not covered)"
            got = [
                f"{format_kb_number(n)}{'' if strong else ' (weak)'} {titles.get(n, '')[:48]}"
                for n, strong in zip(miss.ranking.numbers[:3], miss.ranking.strong[:3], strict=True)
            ]
            shown = " ".join(text.text.split())
            shown = shown if len(shown) <= TEXT_SHOWN else shown[: TEXT_SHOWN - 1] + "…"
            self.stdout.write(f"  {text.id} [{text.kind}] {shown}")
            self.stdout.write(f"      wanted {wanted}; got {' | '.join(got) or 'no result'}")


def _share(part: int, whole: int) -> str:
    return f"{part}/{whole} {100 * part / whole:5.1f}%" if whole else "-"
