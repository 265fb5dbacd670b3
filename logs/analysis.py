"""From log lines to the KB problems they show: counts, times, sessions, tops, examples, and what the KB misses.

Lines are classified by the search's symptom matcher (`kb.search.matcher.symptom_patterns`: the same compiled RE2
patterns of `kb.Symptom`, no second rule set) and by the classifier of history logs (`Grey List` / `0x12`, ...),
which names a KB symptom by its text (CLASSIFIER_SYMPTOMS). One line counts once for every article its symptoms
point to.

Speed: most lines show no symptom, so they are never looked at one by one. Each block of lines is searched once
by one RE2 alternation of every pattern (a linear-time automaton over the whole block); only the lines where it
matches are parsed and tried pattern by pattern. Counting lines, understood lines, times and the messages of the
other lines are whole-block operations in C (`str.count`, `re.findall`, `Counter`); a message's template is
computed once per distinct message.
"""

from __future__ import annotations

import re
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, BinaryIO

import re2

from logs.parse import Record, UnusableInput, parse_line, read_blocks

MAX_EXAMPLES = 5  # example lines kept per problem
MAX_EXAMPLE_CHARS = 2000
MAX_UNPARSED_EXAMPLES = 20
MAX_TEMPLATES = 20_000  # distinct templates counted; later new ones go to OTHER_TEMPLATE
MAX_UNMATCHED_SHOWN = 50
MAX_TOP_KEYS = 10_000  # distinct values counted per top list
TOP_N = 10
MAX_SESSIONS_KEPT = 30  # whole sessions kept (lines of the example lines' sessions)
MAX_SESSION_LINES = 200
MAX_BUCKETS = 48
PREFILTER_MEMORY = 128 << 20  # bytes RE2 may use for the alternation's automaton (grown lazily)
SAMPLE_MESSAGES = 64  # distinct messages templated per block (the rest are estimated from them)
OTHER_TEMPLATE = "(other messages)"

# History logs' classifiers that are a KB symptom: classifier (in words) -> the symptom's text.
CLASSIFIER_SYMPTOMS = {
    "grey list": "451 Try again later",
    "greylist": "451 Try again later",
    "bypass scan on auth": "Antispam scans are bypassed, but antivirus scans are not",
}
CLASSIFIER_PREFILTER = r"classifier=\"?(?:0x12|0x13|gr[ea]y ?list|bypass scan on auth)\b"

MSG_RE = re.compile(rb'msg="([^"\n]{0,2000})"')
ADDRESS_RE = re.compile(r"([\w.+=-]+)@([\w-]+(?:\.[\w-]+)+)")
TEMPLATE_SUBS = [
    (re.compile(r"[\w.+=-]+@[\w-]+(?:\.[\w-]+)+"), "<address>"),
    (re.compile(r"\b\d{1,3}(?:\.\d{1,3}){3}\b"), "<ip>"),
    (re.compile(r"(?<![\w:])(?=[0-9a-f:]*(?:::|[a-f]))[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?![\w:])", re.I), "<ip>"),
    (re.compile(r"\b(?:(?=[0-9A-Za-z]*\d)[0-9A-Za-z]{8,}|[0-9A-F]{8,})(?:-[0-9A-Za-z]{6,})*\b"), "<id>"),
    (re.compile(r"\b[\w-]+(?:\.[\w-]+)*\.[a-z]{2,}\b", re.I), "<host>"),
    (re.compile(r"\d+"), "N"),
]
BUCKET_WIDTHS = [60, 300, 900, 3600, 3 * 3600, 6 * 3600, 86400, 7 * 86400, 30 * 86400]


def template(message: str) -> str:
    """`Verify <a@b.com> Failed after 3 s` -> `Verify <<address>> Failed after N s`: numbers, addresses, ids out."""
    message = message[:300]
    for pattern, replacement in TEMPLATE_SUBS:
        message = pattern.sub(replacement, message)
    return message


def mask_address(address: str) -> str:
    """`alice@example.com` -> `***@example.com`."""
    return ADDRESS_RE.sub(lambda m: "***@" + m.group(2), address)


@dataclass(frozen=True)
class Problem:
    kb: str
    title: str
    number: int


def _options() -> re2.Options:
    options = re2.Options()
    options.case_sensitive = False
    options.log_errors = False
    options.max_mem = PREFILTER_MEMORY
    return options


def compile_prefilter(source: str) -> Any:
    """The symptoms' patterns as one case-insensitive RE2 alternation, searched over whole blocks.

    RE2's automaton for the alternation needs more than the 8 MB a single pattern may take (kb.symptoms): with
    too little memory RE2 falls back to its slow matcher (measured: 100-fold slower on a 19 MB export).
    """
    return re2.compile(source, _options())


@dataclass
class Matcher:
    """The KB's symptom patterns (those of the search's matcher), the articles each points to, and two RE2 forms
    of them: one alternation to find candidate lines in a block, and a set telling which patterns a line matches
    (one pass over the line for all of them, instead of one search per pattern)."""

    problems_of: list[list[Problem]]  # by pattern index in `which`
    classifiers: dict[str, list[Problem]]
    prefilter: Any
    which: Any

    @classmethod
    def from_kb(cls) -> Matcher:
        from kb.models import Symptom
        from kb.search.matcher import symptom_patterns

        ids = [symptom.pk for _, symptom in symptom_patterns()]  # the patterns that compile
        by_symptom: dict[int, list[Problem]] = {}
        by_text: dict[str, list[Problem]] = {}
        for symptom in Symptom.objects.prefetch_related("articles"):
            problems = [Problem(a.kb_number, a.title, a.number) for a in symptom.articles.all()]
            by_symptom[symptom.pk] = problems
            by_text[symptom.text.lower()] = problems
        classifiers = {
            word: by_text[text.lower()] for word, text in CLASSIFIER_SYMPTOMS.items() if text.lower() in by_text
        }
        sources = [(s.pattern, by_symptom[s.pk]) for s in Symptom.objects.filter(pk__in=ids) if by_symptom.get(s.pk)]
        return cls.build(sources, classifiers)

    @classmethod
    def build(cls, sources: list[tuple[str, list[Problem]]], classifiers: dict[str, list[Problem]]) -> Matcher:
        which = re2.Set.SearchSet(_options())
        for source, _ in sources:
            which.Add(source)
        if sources:
            which.Compile()
        combined = "|".join([f"(?:{source})" for source, _ in sources] + [CLASSIFIER_PREFILTER])
        return cls([problems for _, problems in sources], classifiers, compile_prefilter(combined), which)

    def problems(self, line: bytes, record: Record | None) -> list[Problem]:
        """The problems the line (UTF-8 bytes: RE2 reads them without converting) and its classifier point to."""
        found: dict[str, Problem] = {}
        for index in (self.which.Match(line) or ()) if self.problems_of else ():
            for problem in self.problems_of[index]:
                found.setdefault(problem.kb, problem)
        if record is not None:
            for problem in self.classifiers.get(record.classifier.lower(), ()):
                found.setdefault(problem.kb, problem)
        return list(found.values())


@dataclass
class ProblemStats:
    problem: Problem
    count: int = 0
    first_seen: datetime | None = None
    last_seen: datetime | None = None
    sessions: set[str] = field(default_factory=set)
    minutes: Counter[int] = field(default_factory=Counter)
    senders: Counter[str] = field(default_factory=Counter)
    recipients: Counter[str] = field(default_factory=Counter)
    clients: Counter[str] = field(default_factory=Counter)
    domains: Counter[str] = field(default_factory=Counter)
    examples: list[dict[str, str]] = field(default_factory=list)


def _bump(counter: Counter[str], key: str) -> None:
    if key and (key in counter or len(counter) < MAX_TOP_KEYS):
        counter[key] += 1


def _iso(moment: datetime | None) -> str | None:
    return moment.astimezone(UTC).isoformat() if moment else None


class Analysis:
    """Feed it blocks of whole lines (`feed`), then read `summary()` (the command's JSON) and `details()`."""

    def __init__(self, matcher: Matcher, *, mask: bool = False) -> None:
        self.matcher = matcher
        self.mask = mask
        self.lines = 0
        self.unparsed = 0
        self.unparsed_examples: list[dict[str, Any]] = []
        self.first_seen: datetime | None = None
        self.last_seen: datetime | None = None
        self.stats: dict[str, ProblemStats] = {}
        self.templates: Counter[str] = Counter()
        self.template_examples: dict[str, str] = {}
        self._template_cache: OrderedDict[bytes, str] = OrderedDict()
        self.estimated = False  # unmatched counts estimated from a sample of the messages
        self.session_ids: list[str] = []
        self.sessions: dict[str, list[str]] = {}

    # -- reading -------------------------------------------------------------------------------------------------
    def feed_text(self, text: str) -> None:
        """Pasted text (lines may end in \\r\\n), analysed whole (sessions included)."""
        data = text.replace("\r\n", "\n").encode("utf-8", errors="replace")
        if data and not data.endswith(b"\n"):
            data += b"\n"
        self.feed(data, data.count(b"\n"))
        self.collect_sessions([data])

    def feed(self, text: bytes, lines: int, too_long: int = 0) -> None:
        """One block of whole lines (`lines` of them) and the number of over-long lines dropped before it."""
        start_line = self.lines
        self.lines += lines + too_long
        self.unparsed += too_long
        if too_long and len(self.unparsed_examples) < MAX_UNPARSED_EXAMPLES:
            self.unparsed_examples.append({"line": None, "text": f"({too_long} line(s) longer than the limit)"})
        understood = text.count(b"log_id=")
        if understood < lines:
            self._unparsed(text, start_line, lines - understood)
        self._times(text)
        self._messages(text)
        self._symptoms(text)

    def _unparsed(self, text: bytes, start_line: int, missing: int) -> None:
        self.unparsed += missing
        if len(self.unparsed_examples) >= MAX_UNPARSED_EXAMPLES:
            return
        for number, line in enumerate(text.split(b"\n"), start=start_line + 1):
            if b"log_id=" not in line and line.strip():
                shown = line[:300].decode("utf-8", errors="replace")
                self.unparsed_examples.append({"line": number, "text": self._shown(shown)})
                if len(self.unparsed_examples) >= MAX_UNPARSED_EXAMPLES:
                    return

    def _times(self, text: bytes) -> None:
        """First and last seen from the first and last line of each block: exports are written in time order, so
        this is exact for them and costs two parsed lines per block instead of a date per line."""
        first_end = text.find(b"\n")
        last_begin = text.rfind(b"\n", 0, len(text) - 1) + 1
        for raw in (text[:first_end], text[last_begin:]):
            record = parse_line(raw.decode("utf-8", errors="replace")) if b"log_id=" in raw else None
            if record is not None and record.time is not None:
                self._seen(record.time)

    def _seen(self, moment: datetime) -> None:
        if self.first_seen is None or moment < self.first_seen:
            self.first_seen = moment
        if self.last_seen is None or moment > self.last_seen:
            self.last_seen = moment

    def _template(self, message: bytes) -> str:
        cached = self._template_cache.get(message)
        if cached is None:  # compiled patterns: templating is the costly part of a line that shows no symptom
            cached = template(message.decode("utf-8", errors="replace"))
            self._template_cache[message] = cached
            if len(self._template_cache) > 50_000:
                self._template_cache.popitem(last=False)
        return cached

    def _messages(self, text: bytes) -> None:
        """Count the block's messages by template. A block with more than SAMPLE_MESSAGES distinct messages has a
        systematic sample of them templated, each standing for its share of the block's messages (an estimate:
        a template costs ~20 µs, a line's whole budget is ~7 µs)."""
        counts = Counter(MSG_RE.findall(text))
        items = list(counts.items())
        scale = 1.0
        if len(items) > SAMPLE_MESSAGES:
            step = len(items) / SAMPLE_MESSAGES
            sample = [items[int(i * step)] for i in range(SAMPLE_MESSAGES)]
            scale = counts.total() / sum(count for _, count in sample)
            items = sample
            self.estimated = True
        for message, count in items:
            count = count * scale if scale != 1.0 else count
            key = self._template(message)
            if key not in self.templates and len(self.templates) >= MAX_TEMPLATES:
                key = OTHER_TEMPLATE
            if key not in self.template_examples:
                shown = message[:MAX_EXAMPLE_CHARS].decode("utf-8", errors="replace")
                self.template_examples[key] = self._shown(shown)
            self.templates[key] += count

    def _symptoms(self, text: bytes) -> None:
        search = self.matcher.prefilter.search
        position = 0
        while position < len(text):
            match = search(text, position)
            if match is None:
                return
            begin = text.rfind(b"\n", 0, match.start()) + 1
            end = text.find(b"\n", match.start())
            end = len(text) if end < 0 else end
            self._line(text[begin:end])
            position = end + 1

    def _line(self, raw: bytes) -> None:
        line = raw.decode("utf-8", errors="replace")
        record = parse_line(line)
        problems = self.matcher.problems(raw, record)
        if not problems:
            return
        message_match = MSG_RE.search(raw)
        if message_match:  # explained: not among the messages the KB does not explain
            key = self._template(message_match.group(1))
            if self.templates.get(key, 0) > 0:
                self.templates[key] -= 1
        for problem in problems:
            stats = self.stats.get(problem.kb)
            if stats is None:
                stats = self.stats[problem.kb] = ProblemStats(problem)
            self._count(stats, line, record)

    def _count(self, stats: ProblemStats, line: str, record: Record | None) -> None:
        stats.count += 1
        moment = record.time if record else None
        if moment is not None:
            if stats.first_seen is None or moment < stats.first_seen:
                stats.first_seen = moment
            if stats.last_seen is None or moment > stats.last_seen:
                stats.last_seen = moment
            stats.minutes[int(moment.timestamp()) // 60] += 1
        if record is None:
            if len(stats.examples) < MAX_EXAMPLES:
                stats.examples.append({"line": self._shown(line[:MAX_EXAMPLE_CHARS]), "session_id": ""})
            return
        session = record.session_id
        if session:
            stats.sessions.add(session)
        if len(stats.examples) < MAX_EXAMPLES:
            stats.examples.append({"line": self._shown(line[:MAX_EXAMPLE_CHARS]), "session_id": session})
            if session and session not in self.session_ids and len(self.session_ids) < MAX_SESSIONS_KEPT:
                self.session_ids.append(session)
        sender, recipient = record.sender, record.recipient
        _bump(stats.senders, self._shown(sender))
        _bump(stats.recipients, self._shown(recipient))
        _bump(stats.clients, record.client_ip)
        for address in (sender, recipient):
            if "@" in address:
                _bump(stats.domains, address.rpartition("@")[2].strip("<>").lower())

    def _shown(self, text: str) -> str:
        return mask_address(text) if self.mask else text

    def collect_sessions(self, texts: Iterable[bytes]) -> None:
        """Second pass: the lines of the example lines' sessions (whole sessions, shown on request)."""
        if not self.session_ids:
            return
        finder = compile_prefilter("|".join(re.escape(f'session_id="{s}"') for s in self.session_ids))
        wanted: dict[str, list[str]] = {s: [] for s in self.session_ids}
        for text in texts:
            position = 0
            while position < len(text) and (match := finder.search(text, position)) is not None:
                begin = text.rfind(b"\n", 0, match.start()) + 1
                end = text.find(b"\n", match.start())
                end = len(text) if end < 0 else end
                session = match.group(0)[len(b'session_id="') : -1].decode("utf-8", errors="replace")
                lines = next((v for k, v in wanted.items() if k.lower() == session.lower()), None)
                if lines is not None and len(lines) < MAX_SESSION_LINES:
                    line = text[begin:end][:MAX_EXAMPLE_CHARS].decode("utf-8", errors="replace")
                    lines.append(self._shown(line))
                position = end + 1
        self.sessions = {session: lines for session, lines in wanted.items() if lines}

    # -- results -------------------------------------------------------------------------------------------------
    def ranked(self) -> list[ProblemStats]:
        return sorted(self.stats.values(), key=lambda s: (-s.count, s.problem.number))

    def summary(self) -> dict[str, Any]:
        """Exactly the shape `analyze_logs --json` prints."""
        unmatched = [(t, round(n)) for t, n in self.templates.most_common(MAX_UNMATCHED_SHOWN + 1) if round(n) > 0]
        return {
            "lines": self.lines,
            "unparsed": self.unparsed,
            "first_seen": _iso(self.first_seen),
            "last_seen": _iso(self.last_seen),
            "problems": [
                {
                    "kb": s.problem.kb,
                    "title": s.problem.title,
                    "count": s.count,
                    "first_seen": _iso(s.first_seen),
                    "last_seen": _iso(s.last_seen),
                    "sessions": len(s.sessions),
                }
                for s in self.ranked()
            ],
            "unmatched": [
                {"template": t, "count": n, "example": self.template_examples.get(t, "")}
                for t, n in unmatched[:MAX_UNMATCHED_SHOWN]
            ],
        }

    def details(self) -> dict[str, Any]:
        """What the result page shows beyond the summary: per problem series, tops and examples; sessions."""
        return {
            "problems": {
                s.problem.kb: {
                    "number": s.problem.number,
                    "series": series(s.minutes),
                    "senders": _top(s.senders),
                    "recipients": _top(s.recipients),
                    "clients": _top(s.clients),
                    "domains": _top(s.domains),
                    "examples": s.examples,
                }
                for s in self.ranked()
            },
            "unparsed_examples": self.unparsed_examples,
            "sessions": self.sessions,
        }


def _top(counter: Counter[str]) -> list[list[Any]]:
    return [[value, count] for value, count in counter.most_common(TOP_N)]


def series(minutes: Counter[int]) -> list[list[Any]]:
    """Counts per minute -> at most MAX_BUCKETS [bucket start (ISO), count] of a round width, gaps as zeros."""
    if not minutes:
        return []
    first, last = min(minutes) * 60, max(minutes) * 60
    width = next((w for w in BUCKET_WIDTHS if (last - first) // w + 1 <= MAX_BUCKETS), BUCKET_WIDTHS[-1])
    start = first - first % width
    buckets = Counter()
    for minute, count in minutes.items():
        buckets[(minute * 60 - start) // width] += count
    size = int((last - start) // width) + 1
    return [
        [datetime.fromtimestamp(start + i * width, UTC).isoformat(), buckets.get(i, 0)] for i in range(min(size, 400))
    ]


def bucket_width(points: list[list[Any]]) -> timedelta | None:
    if len(points) < 2:
        return None
    return datetime.fromisoformat(points[1][0]) - datetime.fromisoformat(points[0][0])


def analyze_streams(
    streams: Iterable[BinaryIO],
    matcher: Matcher | None = None,
    *,
    mask: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> Analysis:
    """Analyse seekable binary streams (plain or gzip) one after the other; UnusableInput when one cannot be read.

    `progress(lines, bytes_read)` is called after each block. The streams are read twice: the second pass only
    keeps the lines of the example sessions.
    """
    analysis = Analysis(matcher or Matcher.from_kb(), mask=mask)
    streams = list(streams)
    done = 0
    for stream in streams:
        last = 0
        for block in read_blocks(stream):
            analysis.feed(block.text, block.lines, block.too_long)
            last = block.bytes_read
            if progress:
                progress(analysis.lines, done + block.bytes_read)
        done += last
    if analysis.session_ids:

        def again() -> Iterable[bytes]:
            for stream in streams:
                stream.seek(0)
                yield from (block.text for block in read_blocks(stream))

        analysis.collect_sessions(again())
    if analysis.lines == 0:
        raise UnusableInput("No lines to analyse: the input is empty.")
    return analysis
