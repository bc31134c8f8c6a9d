"""The answer a person reads, put together from the chosen sentences.

An answer opens with what answers the question: the best chain of sentences, quoted and cited,
with no generic heading before it (an English question gets one English line saying the quotes
are Swedish). Then, when they exist, the report's own recommendations ("Rapportens råd"), its own
analysis, definitions and frameworks ("Rapportens analys") and what interviewees and
municipalities told ("Erfarenheter från kommunerna") stand apart; sentences from a corpus
file that is not the report stand under that file's title and never under the report's name.
Citation numbers follow the order in which passages are first quoted.

A partial answer says what the report does not state and quotes the nearest it does; a decline
quotes nothing and leaves the nearest passages to be shown as such.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.answering.messages import listing, say
from rag.answering.query import Query
from rag.answering import sentence_kinds as kinds
from rag.answering.facts import missing_message
from rag.answering.selection import Chain, actor_count, fits_form, is_apparatus, probability
from rag.types import Answer, AnswerPart, AnswerSentence, Citation, Decision, Hit

PARTIAL_SENTENCES = 3  # a partial answer quotes at most this many of the nearest sentences
NEAREST_SHOWN = 3  # a decline shows this many of the nearest passages
LEAD_CHOICES = 3  # a "hur"/"varför" answer opens with the first of this many best chains that fits its form,
LEAD_RELATIVE = 0.5  # when it is at least this likely relative to the best chain
# The parts after the lead, in this order (rag.answering.sentence_kinds.part_of files each chain).
REPORT_PARTS = ("guide", "recommendations", "analysis", "experiences")


@dataclass(frozen=True)
class Sources:
    """Which sources are the report and what other documents are called.

    ``report`` holds the sources described in the corpus manifest (the curated report); any other
    file is quoted under its own ``titles`` entry (its first line or PDF title), or its file name.
    """

    report: frozenset[str]
    titles: dict[str, str]

    def is_report(self, source: str) -> bool:
        return source in self.report

    def title(self, source: str) -> str:
        return self.titles.get(source) or source.rsplit("/", 1)[-1]


class Composer:
    def __init__(self, sources: Sources) -> None:
        self.sources = sources

    def answer(
        self, query: Query, hits: list[Hit], decision: Decision, chains: list[Chain], opens: int | None = None
    ) -> Answer:
        """``opens``: the chain to open with when the answerer knows it (the one stating the fact a
        fact question asks for); otherwise ``opening`` chooses."""
        if decision.outcome == "decline":
            return self._decline(query, hits, decision)
        if decision.outcome == "partial":
            return self._partial(query, hits, decision, chains)
        return self._answer(query, hits, decision, chains, opens)

    def _answer(
        self, query: Query, hits: list[Hit], decision: Decision, chains: list[Chain], opens: int | None = None
    ) -> Answer:
        first = opens if opens is not None else opening(chains, query.asks.form, query.asks.national)
        lead, rest = chains[first : first + 1], chains[:first] + chains[first + 1 :]
        groups: list[tuple[str, str | None, list[Chain]]] = [("lead", None, lead)]
        others: dict[str, list[Chain]] = {}
        for chain in rest:
            if self._kind(chain) == "other_document":
                others.setdefault(chain.anchor.hit.passage.source, []).append(chain)
        for part in REPORT_PARTS:
            groups.append((part, say("part." + part, query.lang), [c for c in rest if self._kind(c) == part]))
        for source, chained in others.items():
            heading = say("part.other_document", query.lang, title=self.sources.title(source))
            groups.append(("other_document", heading, chained))
        lead_source = lead[0].anchor.hit.passage.source if lead else None
        if lead_source is not None and not self.sources.is_report(lead_source):
            first_line = say("lead.other_document", query.lang, title=self.sources.title(lead_source))
        else:
            first_line = say("lead", query.lang)
        return self._build(query, hits, decision, first_line, groups)

    def _partial(self, query: Query, hits: list[Hit], decision: Decision, chains: list[Chain]) -> Answer:
        if decision.missing_fact:
            missing = missing_message(decision.missing_fact, query.lang)
        elif decision.unknown_terms:
            missing = say("missing.unknown_terms", query.lang, terms=listing(list(decision.unknown_terms), query.lang))
        else:
            missing = say("missing.uncertain", query.lang)
        kept: list[Chain] = []
        count = 0
        for chain in chains:
            if count + len(chain.members) > PARTIAL_SENTENCES and kept:
                break
            kept.append(chain)
            count += len(chain.members)
        return self._build(query, hits, decision, self._partial_lead(query, missing, kept), [("closest", None, kept)])

    def _partial_lead(self, query: Query, missing: str, kept: list[Chain]) -> str:
        """ "… Det här är det närmaste den säger:" only when the report is all that is quoted."""
        sources = {m.hit.passage.source for chain in kept for m in chain.members}
        others = sorted(s for s in sources if not self.sources.is_report(s))
        # Not a missing fact but a doubt: the quotes may well answer, so the reader is not told that
        # the report lacks it.
        key = "partial.uncertain" if missing == say("missing.uncertain", query.lang) else "partial"
        if not others:
            return say(key, query.lang, missing=missing)
        if len(sources) == 1:
            return say(key + ".other_document", query.lang, missing=missing, title=self.sources.title(others[0]))
        return say(key + ".mixed", query.lang, missing=missing)

    def _decline(self, query: Query, hits: list[Hit], decision: Decision) -> Answer:
        if decision.kind == "unknown_terms":
            lead = say("decline.unknown_terms", query.lang, terms=listing(list(decision.unknown_terms), query.lang))
        else:
            lead = say("decline.weak_evidence", query.lang)
        return Answer(
            question=query.text,
            lang=query.lang,
            lead=lead,
            sentences=(),
            citations=(),
            hits=tuple(hits),
            decision=decision,
        )

    def _kind(self, chain: Chain) -> str:
        passage = chain.anchor.hit.passage
        if not self.sources.is_report(passage.source):
            return "other_document"
        # A chain is quoted as one item and filed as one: the report's own voice in any of its sentences
        # makes it analysis, otherwise reported speech in any of them makes it an experience.
        return kinds.part_of(" ".join(m.text for m in chain.members), passage.section)

    def _build(
        self,
        query: Query,
        hits: list[Hit],
        decision: Decision,
        first_line: str,
        groups: list[tuple[str, str | None, list[Chain]]],
    ) -> Answer:
        numbers: dict[str, int] = {}
        citations: list[Citation] = []
        sentences: list[AnswerSentence] = []
        parts: list[AnswerPart] = []
        for kind, heading, chains in groups:
            items = []
            for chain in chains:
                item = []
                for member in chain.members:
                    passage = member.hit.passage
                    if passage.id not in numbers:
                        numbers[passage.id] = len(numbers) + 1
                        citations.append(Citation(numbers[passage.id], passage))
                    item.append(len(sentences))
                    sentences.append(_quoted(member, numbers[passage.id]))
                items.append(tuple(item))
            if items:
                parts.append(AnswerPart(kind, heading, tuple(items)))
        return Answer(
            question=query.text,
            lang=query.lang,
            lead=first_line,
            sentences=tuple(sentences),
            citations=tuple(citations),
            hits=tuple(hits),
            decision=decision,
            parts=tuple(parts),
            other_documents=tuple(dict.fromkeys(
                c.passage.source for c in citations if not self.sources.is_report(c.passage.source)
            )),
        )


def opening(chains: list[Chain], form: str, national_question: bool = False) -> int:
    """Which chain answers first: the best one, unless another gives what the question's form asks
    for and it does not: a chain naming several actors for "vilka" (any of them: who is involved is
    the answer, and the one naming most of them), an action for "hur" or a reason for "varför" (one
    of the best few, nearly as likely as the best). A recommendation to national decision makers
    opens only an answer to a question about the national level; announcing sentences never open."""
    eligible = [i for i, chain in enumerate(chains) if _may_open(chain, national_question)] or list(range(len(chains)))
    if not eligible:
        return 0
    if form == "who":
        counts = {i: max(actor_count(m.text) for m in chains[i].members) for i in eligible}
        fitting = [i for i in eligible if any(fits_form(m.text, form) for m in chains[i].members)]
        return max(fitting, key=lambda i: (counts[i], -i), default=eligible[0])
    floor = LEAD_RELATIVE * probability(chains[eligible[0]].anchor.score)
    for position in eligible[:LEAD_CHOICES]:
        if probability(chains[position].anchor.score) < floor:
            break
        if any(fits_form(m.text, form) for m in chains[position].members):
            return position
    return eligible[0]


def _may_open(chain: Chain, national_question: bool) -> bool:
    anchor = chain.anchor
    if kinds.announcing(anchor.text):
        return False
    return national_question or not kinds.national_sentence(anchor.text, anchor.hit.passage.section)


def _quoted(member, n: int) -> AnswerSentence:
    sentence = member.sentence
    return AnswerSentence(
        text=sentence.text,
        citations=(n,),
        start=sentence.start,
        end=sentence.end,
        source=member.hit.passage.source,
        page=sentence.page,
        page_estimated=sentence.page_estimated,
    )


def nearest_hits(answer: Answer, n: int = NEAREST_SHOWN) -> list[Hit]:
    """The nearest passages a decline shows (the browser and ``rag ask`` alike): the first ``n``
    retrieved ones that hold findings. The reference list, contact details and acknowledgements are
    near many questions and answer none; among the 74 declines of every labelled set they stood in
    48 of the lists ``rag ask`` printed whole. ``Answer.hits`` keeps every passage retrieved."""
    return [h for h in answer.hits if not is_apparatus(h.passage.section)][:n]
