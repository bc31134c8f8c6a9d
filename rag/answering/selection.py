"""Which of the retrieved passages' sentences answer the question.

Every quotable sentence of the top passages is a candidate. Each gets a small vector of
features (how close its embedding is to the question's, alone and with its neighbours; which
question words it shares, weighted by rarity; where its passage ranked; where it stands in its
passage and section; whether it names actors for a "who" question, actions for a "how" question,
reasons for a "why" question) and a score: a logistic regression learned from the dev gold
evidence (``python -m evals.train_selection``; the weights and their cross-validated effect are
below). Selection takes the best-scoring sentences, drops near-duplicates, and brings along the
sentence that continues a chosen one (after a colon, or one that opens with "Istället",
"Därför" …), so that an answer never stops where the report goes on to say what it means.

The old hand-weighted ``evidence`` score (embedding similarity plus stemmed overlap) is kept per
sentence: the abstention policy is calibrated on it.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict
from dataclasses import dataclass, replace

import numpy as np

from rag.lexical import terms
from rag.answering.query import Query
from rag.answering import sentence_kinds as kinds
from rag.answering.sentence_kinds import in_interview_guide
from rag.index.store import Generation
from rag.index.word_classes import FINITE
from rag.types import Hit, SentenceSpan

MIN_SENTENCE_CHARS = 30
OVERLAP_WEIGHT = 0.15  # stemmed query-term overlap next to embedding similarity in ``evidence`` (dev-tuned)
NEIGHBOUR_WEIGHT = 0.5  # weight of each neighbouring sentence in the context vector
SECTION_SEP = " › "

_RECOMMENDATION = re.compile(r"rekommendation|praktiska r[aå]d|^för kommunchefer|^för nationella", re.I)
_SUMMARY = re.compile(r"sammanfattning", re.I)
# Roles and bodies a "vilka/who" question is answered with; generic words (kommuner, verksamhet)
# are left out, since nearly every sentence of the report has them.
_ACTORS = re.compile(
    r"\b(politiker\w*|chefer(na)?|chefen|ledning\w*|förvaltningsledning\w*|medarbetar\w*|fackliga|facket|"
    r"jurist\w*|it-\w*|it|hr|leverantör\w*|kommunchef\w*|verksamhetschef\w*|linjechef\w*|intressent\w*|"
    r"invånar\w*|medborgar\w*|forskar\w*|akademi\w*|näringsliv\w*|regioner(na)?|myndighet\w*|skr|"
    r"dataskyddsombud\w*|samordnare|ambassadör\w*|projektledare|utvecklare|arkitekt\w*|nyckelperson\w*|"
    r"socialtjänst\w*|skola|skolan|programkontor\w*|digitaliseringsenhet\w*|konsult\w*|studenter)\b",
    re.I,
)
_ACTION = re.compile(r"\b(bör|behöver|måste|ska|skall|krävs|kräver|gäller att|viktigt att|rekommender\w*)\b", re.I)
_REASON = re.compile(
    r"\b(eftersom|därför|på grund av|leder till|beror på|orsak\w*|risk\w*|annars|för att undvika|hinder|"
    r"utmaning\w*|brist\w*)\b",
    re.I,
)
# A sentence opening like this points back at the one before it for what it is about: a demonstrative
# ("Detta kräver …", "Sådana attityder …"), "därmed", "det innebär", and "där"/"här"/"då" followed by a
# finite verb, which Swedish puts second after a fronted adverb ("Där har Kraftsamlingen varit …", "Då
# blir …"); followed by a subject they open a clause of their own ("Där kommuner samverkar …"). Quoted
# without that sentence it says nothing a reader can place, so it is not quoted alone (``_with_context``),
# and with it the two count as one sentence of the answer's length (``_select``). Over the 987 answers of
# every labelled set and conversation file, 84 quoted such a sentence without the one it points at ("•
# Detta är en brist som varit känd länge." in 25); none do now. Evidence shown (rag eval, k = 10):
# gold_dev 0.791 -> 0.797, gold_dev_en 0.750 -> 0.777, the shared questions 0.722 -> 0.731, gold_dev_en2
# 0.645 -> 0.618 (en2-023: an antecedent pair took the room of its evidence), no other set moves; 0.03-0.26
# more sentences per answer. Not counting the pair as one: the same sets 0.791 / 0.743 / 0.722 / 0.618.
# "Det" before a verb in the present tense is the pronoun for what was just said ("Det ökar kraven på …",
# "Det minskar också risken …", "Det beskriver de olika områden …"), unless the verb is one "det" is the
# empty subject of ("Det är viktigt att …", "Det tar tid att …", "Det visar sig att …", "Det står klart").
# Over every labelled set and conversation file (987 answers, 62 change): lead showing evidence gold_dev_en
# 0.622 -> 0.635, gold_test2 0.604 -> 0.623; first sentence gold_dev_en 0.500 -> 0.514; evidence shown
# gold_dev_kw 0.787 -> 0.800, gold_test2 0.664 -> 0.657 (test2-023: a pair took its third quote's room);
# no other figure moves; 0.02-0.2 more sentences per answer ("I projekten … råder det kompetensbrist."
# now stands before "Det gör att det inom varje organisation …").
_EMPTY_SUBJECT_VERBS = (
    "är var blir går gäller sker råder framgår verkar kommer står har behöver får bör ser tar visar finns".split()
)
REFERS_BACK = re.compile(
    r"^(Detta|Det här|Dessa|Sådan|Sådant|Sådana|Därmed|Det innebär|Det handlar|"
    r"Det (?!(?:" + "|".join(_EMPTY_SUBJECT_VERBS) + r")\b)[a-zåäö]+r|"
    r"(?:Där|Här|Då) (?:" + "|".join(sorted(FINITE | {"har", "hade"})) + r"))\b"
)
# A sentence opening like this leans on the one before it: it continues that sentence's point, with a
# connective ("Istället …", "Samtidigt …", "Till exempel …") that still reads alone, or it points back.
CONTINUES = re.compile(
    r"^(Istället|I stället|Därför|Samtidigt|Däremot|Dock|Således|Alltså|Med andra ord|Till exempel|Exempelvis|"
    r"\w+ eftersom)\b|" + REFERS_BACK.pattern
)
# A word and "eftersom" opening a sentence: the rest of the sentence before it, not a statement.
_FRAGMENT = re.compile(r"^\w+ eftersom\b")
_QUESTION_MARK = re.compile(r"\?[\"”»’)]*$")


def cut_from_before(text: str) -> bool:
    """The sentence is the rest of the one before it: cut from it (a lower-case opening after a closing
    quote read as a sentence end), or with no main clause ("Större eftersom …")."""
    return text[:1].islower() or bool(_FRAGMENT.match(text))


def leans_back(text: str) -> bool:
    """The sentence cannot open a quote: it continues the one before it ("Detta kräver …") or is cut
    from it (``cut_from_before``)."""
    return bool(CONTINUES.match(text)) or cut_from_before(text)


def quotable(text: str) -> bool:
    """A sentence worth quoting on its own: long enough and a real sentence or list item, not a
    caption and not a lead-in ending in a colon, which says nothing without the list after it."""
    if len(text) < MIN_SENTENCE_CHARS:
        return False
    return text.startswith("•") or text.rstrip("”\"»)’ ").endswith((".", "!", "?"))


def lead_in(text: str) -> bool:
    """A sentence that announces what follows ("… följande områden:"): quoted only with it."""
    return len(text) >= MIN_SENTENCE_CHARS and text.rstrip().endswith(":")


def is_question(text: str) -> bool:
    return bool(_QUESTION_MARK.search(text.rstrip()))


def in_recommendations(section: str) -> bool:
    """A section of the report's own recommendations (as opposed to what interviews showed)."""
    return any(_RECOMMENDATION.search(part) for part in section.split(SECTION_SEP))


_NOT_CONTENT = re.compile(r"^(\d+\.\s*)?(referenser|references|källor|litteratur|kontaktuppgifter|tack)$", re.I)


def is_apparatus(section: str) -> bool:
    """A section that holds no findings: the reference list, contact details, acknowledgements."""
    return any(_NOT_CONTENT.match(part.strip()) for part in section.split(SECTION_SEP))


_CONTACT_SECTION = re.compile(r"^(\d+\.\s*)?(kontaktuppgifter|kontakt|contact details|contact)$", re.I)


def may_quote(query: Query, section: str) -> bool:
    """Whether an answer to ``query`` may quote a passage of ``section``: never the references or
    acknowledgements, the contact details only for a question asking whom to contact, the interview
    guide only for a question about it."""
    if is_apparatus(section):
        return query.asks.about_contact and any(_CONTACT_SECTION.match(p.strip()) for p in section.split(SECTION_SEP))
    return query.asks.about_guide or not in_interview_guide(section)


def answer_hits(query: Query, hits: list[Hit], n: int) -> list[Hit]:
    """The first ``n`` of ``hits`` an answer may quote: a passage it may not quote (a reference list
    ranked third) takes no place of one it may."""
    return [h for h in hits if may_quote(query, h.passage.section)][:n]


FEATURES = (
    "dense",
    "dense_search",
    "overlap",
    "context_dense",
    "dense_below_best",
    "passage_prior",
    "fused_below_best",
    "rank_in_passage",
    "position",
    "log_length",
    "question_mark",
    "bullet",
    "recommendation",
    "summary",
    "names_actors_for_who",
    "states_action_for_how",
    "gives_reason_for_why",
    "heading_match",
    "continues",
    "hubness",
    "dense_minus_hubness",
    # Context: the passage (with its heading) and the neighbouring sentences, and what kind of
    # statement the sentence is (rag.answering.sentence_kinds) read against what is asked.
    "passage_dense",
    "neighbour_dense",
    "national_off_level",
    "national_on_level",
    "announcing",
    "self_reference",
    "reported",
    "defines_for_definition",
)
_NATIONAL_OFF_LEVEL = FEATURES.index("national_off_level")
HUBNESS_ALPHA = 0.5  # dense - alpha * hubness (the CSLS correction retrieval uses for passages)


@dataclass(frozen=True)
class Candidate:
    index: int  # row in Generation.sentences / sentence_vectors
    hit: Hit
    sentence: SentenceSpan
    evidence: float  # dense + OVERLAP_WEIGHT * overlap: what abstention is calibrated on
    dense: float
    overlap: float
    features: tuple[float, ...]
    score: float = 0.0  # the learned selection score (a logit)

    @property
    def text(self) -> str:
        return self.sentence.text


class QueryTerms:
    """The question's terms as groups of alternatives weighted by idf, for overlap counting.

    A Swedish term is its own group; an English word is the group of its Swedish translations,
    and English words the dictionary does not know are left out, since their absence says nothing.
    """

    def __init__(self, generation: Generation) -> None:
        n = max(len(generation.passages), 1)
        self.idf = {t: math.log(1 + n / c) for t, c in generation.term_frequencies.items()}
        self.default_idf = math.log(1 + n)
        self.vocabulary = generation.vocabulary

    def groups(self, query: Query) -> list[tuple[frozenset[str], float]]:
        groups: dict[frozenset[str], float] = {}
        for g in query.groups:
            if g.in_dictionary:
                alternatives = frozenset(g.terms)
                groups[alternatives or frozenset({"\x00" + g.english})] = max(
                    (self.idf[t] for t in alternatives), default=self.default_idf
                )
        # A word typed otherwise than the report spells it (a typo, å/ä/ö) counts as the report's word.
        respelled = {w.stems[0] for w in query.content if w.spelled}
        for t in query.spelling:
            groups.setdefault(frozenset({t}), self.idf.get(t, self.default_idf))
        translated = {t for alternatives in groups for t in alternatives}
        for t in set(terms(query.standalone)):
            if t in respelled or (query.groups and (t not in self.vocabulary or t in translated)):
                continue
            groups[frozenset({t})] = self.idf.get(t, self.default_idf)
        return list(groups.items())


class SentenceScorer:
    """Features and learned scores for the sentences of the top passages."""

    def __init__(self, generation: Generation, weights: "Weights") -> None:
        self.sentences = generation.sentences
        self.passages = generation.passages
        self.vectors = generation.sentence_vectors
        self.sentences_of = generation.sentences_of
        self.passage_vectors = generation.vectors
        self.passage_row = generation.index_of
        self.term_sets = generation.sentence_terms  # sentence row -> its index terms
        self.hubness = generation.sentence_hubness
        self.query_terms = QueryTerms(generation)
        self.weights = weights
        self._heading_terms: dict[str, frozenset[str]] = {}

    def candidates(self, query: Query, hits: list[Hit]) -> list[Candidate]:
        """Every quotable sentence of ``hits`` with its features and score, best first. The
        interview guide is left out unless the question is about it, and the report's own questions
        outside the guide always are."""
        groups = self.query_terms.groups(query)
        total = sum(w for _, w in groups) or 1.0
        raw: list[tuple[int, Hit, float, float, float]] = []
        for hit in hits:
            if not may_quote(query, hit.passage.section):
                continue
            guide = in_interview_guide(hit.passage.section)
            for i in self.sentences_of.get(hit.passage.id, []):
                text = self.sentences[i].text
                if not (quotable(text) or lead_in(text)):
                    continue
                if is_question(text) and not guide:
                    # The report's own questions ("Men hur kan chefer …?", "Finns det befintliga
                    # strukturer …?") ask; they do not answer. The guide's answer what was asked.
                    continue
                dense = float(self.vectors[i] @ query.vector)
                overlap = sum(w for alternatives, w in groups if alternatives & self.term_sets[i]) / total
                raw.append((i, hit, dense, overlap, dense + OVERLAP_WEIGHT * overlap))
        if not raw:
            return []
        scored = self._featurise(query, hits, raw)
        scored.sort(key=lambda c: -c.score)
        return scored

    def _featurise(self, query: Query, hits: list[Hit], raw) -> list[Candidate]:
        best_dense = max(r[2] for r in raw)
        top_score = hits[0].score
        n_hits = max(len(hits), 1)
        rank_in_passage = _ranks_within_passage(raw)
        query_terms = set(terms(query.standalone)) | {t for g in query.groups for t in g.terms}
        asks = query.asks
        # Query.asks has no "definition" form yet: read here from the question.
        definition = kinds.asks_definition(query.standalone)
        national_question = asks.national
        passage_dense: dict[str, float] = {}
        out = []
        for i, hit, dense, overlap, evidence in raw:
            text = self.sentences[i].text
            siblings = self.sentences_of[hit.passage.id]
            position = siblings.index(i)
            section = hit.passage.section
            pid = hit.passage.id
            if pid not in passage_dense:
                passage_dense[pid] = float(self.passage_vectors[self.passage_row[pid]] @ query.vector)
            national = kinds.national_sentence(text, section)
            features = (
                dense,
                float(self.vectors[i] @ query.search_vector),
                overlap,
                self._context_dense(i, siblings, position, query.vector),
                dense - best_dense,
                (n_hits - (hit.fused_rank or hit.rank)) / n_hits,  # as fitted: the rank before reordering
                hit.score - top_score,
                1.0 / rank_in_passage[i],
                min(position, 5) / 5,
                math.log(len(text)),
                float(is_question(text)),
                float(text.startswith("•")),
                float(in_recommendations(hit.passage.section)),
                float(bool(_SUMMARY.search(hit.passage.section))),
                float(asks.form == "who" and actor_count(text) >= 2),
                float(asks.form == "how" and advises(text)),
                float(asks.form == "why" and bool(_REASON.search(text))),
                self._heading_match(hit.passage.section, query_terms),
                float(bool(CONTINUES.match(text))),
                float(self.hubness[i]),
                dense - HUBNESS_ALPHA * float(self.hubness[i]),
                passage_dense[pid],
                self._neighbour_dense(siblings, position, query.vector),
                float(national and not national_question),
                float(national and national_question),
                float(kinds.announcing(text)),
                float(kinds.self_referring(text)),
                float(kinds.reported(text)),
                float(definition and kinds.defining(text)),
            )
            out.append(Candidate(i, hit, self.sentences[i], evidence, dense, overlap, features, self.weights.score(features)))
        return out

    def _context_dense(self, i: int, siblings: list[int], position: int, qv: np.ndarray) -> float:
        vector = self.vectors[i].astype(np.float32).copy()
        for j in (position - 1, position + 1):
            if 0 <= j < len(siblings):
                vector += NEIGHBOUR_WEIGHT * self.vectors[siblings[j]]
        return float(vector @ qv / (np.linalg.norm(vector) or 1.0))

    def _neighbour_dense(self, siblings: list[int], position: int, qv: np.ndarray) -> float:
        """The best similarity of the sentence just before or after: an answer often spans two."""
        near = [siblings[j] for j in (position - 1, position + 1) if 0 <= j < len(siblings)]
        return max((float(self.vectors[j] @ qv) for j in near), default=0.0)

    def _heading_match(self, section: str, query_terms: set[str]) -> float:
        heading = self._heading_terms.get(section)
        if heading is None:
            heading = self._heading_terms[section] = frozenset(terms(section.split(SECTION_SEP)[-1]))
        return len(query_terms & heading) / max(len(query_terms), 1)

    def previous_in_passage(self, index: int) -> int | None:
        """The sentence before ``index`` in the same passage, if any."""
        if index > 0 and self.sentences[index - 1].passage_id == self.sentences[index].passage_id:
            return index - 1
        return None

    def next_in_list(self, index: int) -> int | None:
        """The sentence after ``index`` in its passage, or, where the passage ends inside a list, the
        next passage's first item of the same section: a list runs on across the chunk boundary."""
        following = self.next_in_passage(index)
        if following is not None:
            return following
        return list_runs_on(self.sentences, self.passages, self.passage_row, index)

    def next_in_passage(self, index: int) -> int | None:
        """The sentence after ``index`` in the same passage, if any."""
        if index + 1 < len(self.sentences) and self.sentences[index + 1].passage_id == self.sentences[index].passage_id:
            return index + 1
        return None


def list_runs_on(sentences, passages, passage_row, index: int) -> int | None:
    """The next passage's first sentence when sentence ``index`` ends its passage and the next sentence
    is a list item of the same source and section: a list cut by a chunk boundary runs on there. One rule
    for the sentence scorer (``SentenceScorer.next_in_list``) and retrieval (``HybridRetriever``, which
    brings that passage along)."""
    j = index + 1
    if j >= len(sentences) or not sentences[j].text.startswith("•"):
        return None
    here, there = sentences[index].passage_id, sentences[j].passage_id
    if here == there:
        return None
    a, b = passages[passage_row[here]], passages[passage_row[there]]
    return j if a.section == b.section and a.source == b.source else None


@dataclass(frozen=True)
class Chain:
    """Sentences that are quoted together, in report order: a chosen sentence with the one it
    leans on before it or the one that continues it after it. ``anchor`` is the chosen one."""

    anchor: Candidate
    members: tuple[Candidate, ...]


def select(
    candidates: list[Candidate],
    scorer: SentenceScorer,
    max_sentences: int,
    relative: float,
    duplicate_cosine: float,
    minimum: float = 0.0,
    form: str = "what",
    neighbour_minimum: float | None = None,
    stands_alone: frozenset[int] = frozenset(),
) -> list[Chain]:
    """The chains to quote, best first, with at most ``max_sentences`` sentences in all.

    Candidates are taken in score order while their probability is at least ``relative`` times
    the best one's and at least ``minimum`` (the best one is always taken); a near-duplicate (cosine above ``duplicate_cosine``) of a sentence already
    quoted is skipped, and so is a sentence announcing what the text presents, and after the best one a
    sentence about the national level when the question is not (measured: every set's evidence shown
    unchanged, 0.02-0.06 fewer sentences per answer). A chosen lead-in brings its list whole
    (``LIST_ROOM``; each item with the rest of its paragraph, ``continues_item``), is skipped when none of
    it can come along, and after the first chain also when the list would be cut short; a chosen
    sentence followed by one that continues it
    ("Istället …") brings that one along; a chosen sentence that itself continues the one before
    brings that one first (across a chunk boundary too, ``runs_on``), and one that continues the last
    sentence of a chain already taken is quoted as that chain's next sentence (``_leans_on_chain``); one
    that points back at the sentence before (``REFERS_BACK``) is quoted only with it, the two counted as
    one sentence of ``max_sentences``.
    The sentence after a chosen one and the one before it in their passage come
    along when at least ``neighbour_minimum`` (``NEIGHBOUR_MINIMUM``) likely and there is room
    (``_grow``): for the first chain, the one after only, before the next candidate is taken (the
    answer opens with the best sentence and what follows it in the report); for the others both, into
    the room left when all are chosen. A question asking for a case (``form`` in ``ANSWER_FORMS``) is answered
    with the best ``CASES_FIRST`` cases among the candidates first (``answers_form``), then the rest
    as usual. A lead-in in ``stands_alone`` (by sentence index) is quoted even when no list item can
    come along: the sentence that states an asked fact ("… de fem steg som AI Sweden utgår ifrån i sin
    modell för AI-mognad:", whose steps are a figure the text does not hold).
    """
    chains: list[Chain] = []
    if form in ANSWER_FORMS:
        gives = answers_form(form)
        cases = [c for c in candidates if gives(c.text)]
        if form == "example":  # one municipality's case before what some did; stable, so by score within
            cases.sort(key=lambda c: -kinds.case_grade(c.text))
        cases = cases[:CASES_FIRST]
        chains = _select(cases, scorer, max_sentences, 0.0, duplicate_cosine, 0.0, context=candidates)
    floor = NEIGHBOUR_MINIMUM if neighbour_minimum is None else neighbour_minimum
    first_grown = not chains  # _select grows the first chain it takes when no case came first
    chains = _select(candidates, scorer, max_sentences, relative, duplicate_cosine, minimum, tuple(chains), floor,
                     stands_alone)
    # Then every other chain, best first, brings its neighbours into the room the chosen ones left.
    by_index = {c.index: c for c in candidates}
    used = {m.index for chain in chains for m in chain.members}
    out = []
    for k, chain in enumerate(chains):
        if k == 0 and first_grown:
            out.append(chain)
            continue
        grown = _grow(list(chain.members), by_index, scorer, len(chain.members) + max_sentences - len(used), used, floor)
        used.update(m.index for m in grown)
        out.append(Chain(chain.anchor, tuple(grown)))
    return out


# A chosen sentence's neighbour in its passage (the one after, then the one before) is quoted with it
# when its own probability is at least this and the answer has room: the report makes a point in two
# or three sentences in a row, and gold evidence is such a run. The first chain takes the sentence
# after it before the next candidate is taken, the others both neighbours into the room left
# (``select``). Measured with ``python -m evals.train_selection --neighbours --gold <the five files>``
# (its cross-validation: 5 folds by question x 2 shuffles, weights refitted per fold, over gold_dev,
# gold_dev_en, gold_dev_hard, gold_dev_setting and the shared independent questions, 258 answerable;
# held out, ENGLISH_MINIMUM_PROBABILITY in place: evidence shown / lead shows evidence / sentences /
# shown - SENTENCE_COST x sentences): no neighbours 0.627 / 0.535 / 3.90 / 0.5487; every neighbour that
# is a candidate 0.675 / 0.593 / 4.70 / 0.5807; 0.01 0.672 / 0.593 / 4.57 / 0.5804; 0.02 0.671 / 0.593 /
# 4.48 / 0.5813; 0.03 0.665 / 0.593 / 4.36 / 0.5779; 0.04 0.663 / 0.593 / 4.23 / 0.5786; 0.06 0.653 /
# 0.585 / 4.07 / 0.5721; 0.08 0.647 / 0.583 / 3.98 / 0.5670. (The arrangements below were measured with
# each fold's training rows in index order rather than the shuffled order evals.train_selection uses
# now, which moves these figures by up to 0.004.) Other arrangements at 0.02: the first chain
# also taking the sentence before it 0.666 / 0.626 / 4.54 / 0.5755, but the lead's first sentence was
# then in a gold quote for 0.306 of the questions against 0.471 (none added: 0.471), the answer opening
# on the context before the point (lead words, median, 24 without neighbours, 39 with the one after, 49
# with both; /work/lead/tools/lead_first.py, same folds); every chain taking both before the next
# candidate 0.660 / 0.620 / 4.52 / 0.5695 (less room for the next ones; on the conversation files five
# later turns fewer right); every chain only into the room left 0.674 / 0.550 / 4.60 / 0.5821 (the best
# sentence's neighbours were then often chosen as bullets of their own, apart from the lead). Lowering
# MINIMUM_PROBABILITY instead buys far less per sentence (0.0: six sentences, 0.680 against 0.671 at 3.75
# on gold_dev + independent, in selection_weights' docstring). Not taken, for how it reads (measured
# before the English floor, neighbours into the room left): a sentence before that leans on the one
# before it ("Detta kräver …"; 0.5664 with this rule alone against 0.5655 without), and a list item
# joined to the text around its list (0.5657 against 0.5664). Measured and not used: the first chain
# also taking the sentence before it when the best one points back at it with a demonstrative
# ("bedömas mot dessa kriterier"): held out 0.674 / 0.601, first sentence in gold 0.481 against 0.471,
# but on rag eval's held-out files the first sentence lost one question each (gold_test 0.412 -> 0.382,
# gold_test2 0.396 -> 0.377, independent 0.352 -> 0.333) while the dev files gained one each.
NEIGHBOUR_MINIMUM = 0.02

# A list (a lead-in and its items, each with the rest of its paragraph) is quoted whole, up to this many
# sentences (the most ``Settings.answer_sentences`` allows), even past the answer's own length: "Vilka
# är de tio områdena?" is answered by the ten, and the report's longest list (AI-huset's ten areas) runs
# across two passages. The items must be candidates, so a list's continuation is quoted only from a
# passage that was retrieved. A list chosen after the answer's first chain that cannot be quoted whole
# is not quoted: "Dessa tio områden … är:" with two of the ten misled (5 answers of 987 over the
# labelled sets and conversations); a chain after a list has only the room the answer's length leaves.
# Measured with every set's evidence shown unchanged except gold_dev_en's dev-044-en ("Which areas are
# covered by … 'AI House' …?", 0 -> 1: the ten areas after the lead instead of two of them).
LIST_ROOM = 12

# The least probability a sentence needs to be quoted in an answer to an English question, in place of
# selection_weights.MINIMUM_PROBABILITY (0.1). An English question is compared with Swedish sentences
# through translations and a cross-language embedding, so its sentences score lower throughout (the best
# sentence of dev-030 0.59 in Swedish, 0.32 in English) and the Swedish floor cut English answers short.
# Measured with ``python -m evals.train_selection --english --gold <the five files>`` (5 folds x 2,
# weights refitted per fold, NEIGHBOUR_MINIMUM in place; the 244 held-out English question-fold
# outcomes; evidence shown / sentences / shown - SENTENCE_COST x sentences): 0.02 0.654 / 5.66 / 0.5404;
# 0.04 0.654 / 5.31 / 0.5475; 0.06 0.656 / 4.91 / 0.5576; 0.08 0.641 / 4.46 / 0.5521; 0.10 0.605 / 4.11 /
# 0.5224; 0.15 0.545 / 3.28 / 0.4794.
ENGLISH_MINIMUM_PROBABILITY = 0.06


def _grow(
    members: list[Candidate], by_index: dict[int, Candidate], scorer: "SentenceScorer", limit: int,
    used: set[int], floor: float, sides: tuple[bool, ...] = (True, False),
) -> list[Candidate]:
    """``members`` with the sentence after them and then the one before them in their passage, up to
    ``limit`` sentences in all (``sides``: True for after, False for before, in that order), when that
    is a candidate at least ``floor`` likely (1.0 or more: none), not a lead-in, not announcing, not in
    ``used``, and the one before not itself leaning on the sentence before it (``leans_back``). A list
    item is not joined to the text around its list: nothing is put before an item, and an item comes
    after another item only."""
    members = list(members)
    for after in sides:
        if len(members) >= limit:
            break
        edge = members[-1].index if after else members[0].index
        j = scorer.next_in_passage(edge) if after else scorer.previous_in_passage(edge)
        c = by_index.get(j) if j is not None else None
        if (
            c is None
            or c.index in used
            or any(m.index == c.index for m in members)
            or probability(c.score) < floor
            or kinds.announcing(c.text)
            or lead_in(c.text)
            or (not after and leans_back(c.text))
            or (not after and (c.text.startswith("•") or members[0].text.startswith("•")))
            or (after and c.text.startswith("•") and not members[-1].text.startswith("•"))
        ):
            continue
        if after:
            members.append(c)
        else:
            members.insert(0, c)
    return members


# Forms whose answer opens with the sentences of that kind among the top passages' candidates:
# "Can you give an example?" is answered with cases, not with the advice they illustrate; one
# municipality's case ("I en kommun valde man …") before what some did ("Flera kommuner har …"),
# by score within each (``sentence_kinds.case_grade``, grammar). The sentence scorer has no feature
# for it: it was fitted on single questions, few of which ask for a case. CASES_FIRST, measured with
# rag eval --conversations on the four dev conversation files (100 later turns, with retrieval's
# FORM_WEIGHT): 0 (no cases first) 75, 1 75, 2 77, 3 77, 4 77, 6 77 (the same evidence shown from 2
# on), so the fewest on the plateau; without the one-before-some order the same. Held out (test and
# independent, 42): 35 without the order, 36 with it at 2 and above (w1-c06, studied as a known
# miss, so not a clean held-out figure). Single questions (gold_dev, independent questions):
# evidence shown unchanged, gold_dev's lead shows evidence 0.581 -> 0.595.
ANSWER_FORMS = ("example",)
CASES_FIRST = 2


def _select(
    candidates: list[Candidate],
    scorer: "SentenceScorer",
    max_sentences: int,
    relative: float,
    duplicate_cosine: float,
    minimum: float,
    chosen: tuple[Chain, ...] = (),
    neighbour_floor: float = 1.0,
    stands_alone: frozenset[int] = frozenset(),
    context: list[Candidate] | None = None,
) -> list[Chain]:
    """``chosen``, then the candidates taken as ``select`` says (the best one whenever there is room);
    ``context``: every candidate, which a chosen one may bring along (``candidates`` when None)."""
    if not candidates:
        return list(chosen)
    by_index = {c.index: c for c in (context if context is not None else candidates)}
    floor = relative * probability(candidates[0].score)
    chains: list[Chain] = list(chosen)
    used: set[int] = {m.index for c in chains for m in c.members}
    free = 0
    for cand in candidates:
        room = max_sentences - len(used) + free
        if room > 0 and lead_in(cand.text):
            room = max(room, LIST_ROOM)  # a list is quoted whole, even past the answer's length
        if room <= 0 or probability(cand.score) < floor or (
            len(chains) > len(chosen) and probability(cand.score) < minimum
        ):
            break
        if kinds.announcing(cand.text) and not lead_in(cand.text):
            continue  # "Nedan redogörs för …" says what comes, never what the report found
        if chains and cand.features[_NATIONAL_OFF_LEVEL]:
            continue  # national level, not asked about: never filler under a municipal answer
        if cand.index in used or any(
            float(scorer.vectors[cand.index] @ scorer.vectors[j]) > duplicate_cosine for j in used
        ):
            continue
        # The sentence one points back at is quoted with it as one point, not as one more sentence.
        refers_back = bool(REFERS_BACK.match(cand.text))
        members = _with_context(cand, by_index, scorer, room + refers_back, used, cand.index in stands_alone)
        if members is None:
            continue
        if chains and lead_in(cand.text) and _list_goes_on(members, scorer):
            continue  # a list cut short is no answer after the lead: whole or not at all
        if not chains:  # the first chain, which the answer opens with, brings the sentence after it at once
            members = _grow(members, by_index, scorer, room, used, neighbour_floor, sides=(True,))
        if refers_back:
            free += sum(1 for m in members if m.index < cand.index)
        k = _leans_on_chain(members[0], chains)
        if k is not None:  # it continues a chain already taken: quoted as that chain's next sentence
            chains[k] = Chain(chains[k].anchor, chains[k].members + tuple(members))
        else:
            chains.append(Chain(cand, tuple(members)))
        used.update(m.index for m in members)
    return chains


def _list_goes_on(members: list[Candidate], scorer: "SentenceScorer") -> bool:
    """The report's list that ``members`` quote goes on after the last of them, by the walk
    ``_followers`` takes: another item, or the rest of the item quoted last (one not retrieved, already
    quoted, or past the room)."""
    nxt = scorer.next_in_list(members[-1].index)
    if nxt is None:
        return False
    following = scorer.sentences[nxt]
    return following.text.startswith("•") or continues_item(members, following)


def _leans_on_chain(first: Candidate, chains: list[Chain]) -> int | None:
    """Which of ``chains`` ends with the sentence ``first`` continues ("Istället bör processen involvera
    …" after "Att ta fram en AI-strategi bör inte vara något som IT-enheten gör isolerat …"), if any: the
    two are one run of the report's text and are quoted as one, not under two headings."""
    if not CONTINUES.match(first.text):
        return None
    for k, chain in enumerate(chains):
        last = chain.members[-1]
        if right_before(last, first):
            return k
    return None


def _with_context(
    cand: Candidate, by_index: dict[int, Candidate], scorer: SentenceScorer, room: int, used: set[int],
    alone: bool = False,
) -> list[Candidate] | None:
    """``cand`` with the sentences it must be quoted with, in report order, within ``room``;
    None when it cannot stand without a continuation that does not fit (unless ``alone``)."""
    followers = _followers(cand, by_index, scorer, room - 1, used)
    if lead_in(cand.text) and not followers and not alone:
        return None
    members = [cand, *followers]
    first = cand
    # A sentence opening in lower case was cut from the one before it (a closing quote read as a
    # sentence end), and one with no main clause ("Större eftersom en pilot …", after "… både
    # mycket större och mindre.") finishes the one before: quoted only with it, which may be no
    # candidate of its own. A fragment after a fragment ("Mindre eftersom …" after "Större eftersom …")
    # goes back to the sentence both finish.
    while cut_from_before(first.text):
        start = scorer.previous_in_passage(first.index)
        if start is None or start in used or len(members) >= room:
            return None
        first = by_index.get(start) or replace(cand, index=start, sentence=scorer.sentences[start])
        members.insert(0, first)
    # A sentence that continues the one before it brings that one first, and so on back while each
    # brought one continues its own ("Detta visar …" after "Detta är en brist …" after "I många avtal …").
    while len(members) < room and CONTINUES.match(first.text):
        before = by_index.get(first.index - 1)
        if (
            before is None
            or before.index in used
            or not right_before(before, first)
            or not quotable(before.text)
        ):
            break
        members.insert(0, before)
        first = before
    if REFERS_BACK.match(first.text) and not alone and first.index - 1 not in used:
        return None  # it would point at a sentence the reader never sees (one quoted already is joined to)
    return members


# Most characters between the end of one sentence and the start of the next for the two to be read as
# one run of text: the space or line break after a full stop (1-2 in the report), never a heading.
RUN_ON_GAP = 2


def right_before(before: Candidate, after: Candidate) -> bool:
    """``before`` is the sentence just before ``after`` in the report: the one before it in its passage,
    or the last one of the passage before, across a chunk boundary (``runs_on``)."""
    return before.index == after.index - 1 and (before.hit.passage.id == after.hit.passage.id or runs_on(before, after))


def runs_on(before: Candidate, cand: Candidate) -> bool:
    """``before`` is the sentence right before ``cand`` in the same source, though a chunk boundary
    put them in different passages: "Detta är en brist …" opens a passage whose point the last sentence
    of the one before makes ("I många avtal är det oklart vem som äger datan …"). Only a retrieved
    passage's sentence is a candidate, so what is brought along is cited to a passage the system found."""
    return before.hit.passage.source == cand.hit.passage.source and within(before.sentence, cand.sentence, RUN_ON_GAP)


def within(before: SentenceSpan, after: SentenceSpan, gap: int) -> bool:
    """``after`` starts at most ``gap`` characters after ``before`` ends."""
    return 0 <= after.start - before.end <= gap


def _followers(
    cand: Candidate, by_index: dict[int, Candidate], scorer: SentenceScorer, room: int, used: set[int]
) -> list[Candidate]:
    """What continues ``cand``: the list items after a lead-in, or one sentence that opens with a
    continuing word."""
    out: list[Candidate] = []
    index = cand.index
    while len(out) < room:
        nxt = scorer.next_in_list(index) if lead_in(cand.text) else scorer.next_in_passage(index)
        follower = by_index.get(nxt) if nxt is not None else None
        if follower is None or follower.index in used or not quotable(follower.text):
            break
        item = follower.text.startswith("•") or continues_item(out, follower.sentence)
        if lead_in(cand.text) and (not out or item):
            out.append(follower)
        elif not out and CONTINUES.match(follower.text):
            out.append(follower)
            break
        else:
            break
        index = follower.index
    return out


# Most characters between two sentences of one paragraph: a space or one line break. A blank line
# (two) starts a new paragraph. Over the report's 464 pairs of consecutive sentences: 293 are 1 apart
# (259 a space, 34 a line break), 92 are 2 apart with a blank line between, 6 are 2 apart with a line
# break and a space (OCR), the rest are 5 or more (headings, figures).
PARAGRAPH_GAP = 1


def continues_item(items: list[Candidate], follower: SentenceSpan) -> bool:
    """``follower``, the sentence after the last of ``items``, is the rest of the list item quoted last,
    in its paragraph ("• Ledarskap och fördelat ansvar: Stöd och uppmuntra … Formalisera samarbetet, …"),
    not the text after the list, which opens a paragraph of its own."""
    return any(m.text.startswith("•") for m in items) and within(items[-1].sentence, follower, PARAGRAPH_GAP)


def actor_count(text: str) -> int:
    """How many different roles or bodies a sentence names."""
    return len({m.group(0).lower() for m in _ACTORS.finditer(text)})


def advises(text: str) -> bool:
    """The sentence says what to do: a modal of obligation or advice ("bör", "behöver", "krävs") or
    an instruction in the imperative ("Skapa en kultur där …")."""
    return bool(_ACTION.search(text)) or kinds.instructs(text)


def answers_form(form: str):
    """What a sentence must be to answer a question of ``form`` on its own: for an example a case
    (``sentence_kinds.tells_case``; a list "till exempel …" illustrates a point, it is no case),
    otherwise ``fits_form``."""
    if form == "example":
        return kinds.tells_case
    return lambda text: fits_form(text, form)


def fits_form(text: str, form: str) -> bool:
    """The sentence gives what the question's form asks for: several actors for "who", an action
    for "how", a reason for "why", a case for "example"."""
    if form == "who":
        return actor_count(text) >= 3
    if form == "how":
        return advises(text)
    if form == "why":
        return bool(_REASON.search(text))
    if form == "example":
        return kinds.exemplifies(text)
    return False


def _ranks_within_passage(raw) -> dict[int, int]:
    by_passage: dict[str, list[tuple[float, int]]] = defaultdict(list)
    for i, hit, _, _, evidence in raw:
        by_passage[hit.passage.id].append((-evidence, i))
    ranks = {}
    for items in by_passage.values():
        for rank, (_, i) in enumerate(sorted(items), 1):
            ranks[i] = rank
    return ranks


@dataclass(frozen=True)
class Weights:
    """A logistic regression over standardised features: ``(x - mean) / scale · coef + intercept``."""

    mean: tuple[float, ...]
    scale: tuple[float, ...]
    coef: tuple[float, ...]
    intercept: float

    def score(self, features: tuple[float, ...]) -> float:
        return self.intercept + sum(
            c * (x - m) / s for x, m, s, c in zip(features, self.mean, self.scale, self.coef)
        )


def probability(logit: float) -> float:
    return 1.0 / (1.0 + math.exp(-logit))
