"""The question as the system understands it, made once per question and read by every later stage.

``QueryBuilder.build`` turns what the user typed (and the conversation before it) into a
``Query``: the text that is searched (a follow-up's standalone form), the language of the user's
own words, the question's vector, the vector dense search uses (an English question's Swedish
rendering is added), the English words' Swedish term groups, what the question asks for
(``Asks``), and, for a follow-up, the topic it carries over from the conversation. Retrieval,
abstention and the composer all read this one object instead of re-deriving pieces of it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np

from rag.embeddings import Embedder
from rag.followup import Condenser, Resolution, resolve
from rag.lexical import detect_lang
from rag.translate import QueryTranslator, TermGroup
from rag.types import Turn


@dataclass(frozen=True)
class Asks:
    """What kind of answer the question wants, read from its wording.

    ``form``: "who" (actors), "how" (actions), "why" (reasons) or "what" (anything else).
    ``facts``: the kinds of fact the question cannot do without, in the order asked: "amount",
    "count", "date", "legal_article", "product".
    ``counted``: for a count, the word counted ("hur många *intervjuer*"), which a sentence
    stating the count must name.
    ``about_guide``: the question is about the interview guide (its questions may be quoted).
    """

    form: str = "what"
    facts: tuple[str, ...] = ()
    about_guide: bool = False
    counted: str | None = None


@dataclass(frozen=True)
class Topic:
    """A follow-up's conversation topic: the previous standalone question, searched next to the
    follow-up itself with ``weight`` (see ``rag.retrieval``)."""

    text: str
    vector: np.ndarray
    weight: float


@dataclass(frozen=True)
class Query:
    text: str  # what the user typed
    standalone: str  # what is searched and scored: ``text`` or a follow-up's rewrite
    lang: str  # of ``text``: the language the answer is given in
    vector: np.ndarray  # embedding of ``standalone``; answer sentences are scored against it
    search_vector: np.ndarray  # what dense retrieval uses (``vector`` plus a Swedish rendering)
    groups: tuple[TermGroup, ...] = ()  # an English question's Swedish term groups
    asks: Asks = field(default_factory=Asks)
    topic: Topic | None = None
    rewritten: bool = False  # ``standalone`` is a real rewrite of a follow-up, worth showing

    @property
    def shown_rewrite(self) -> str | None:
        """The standalone question to show as "Tolkad som", or None when nothing was rewritten."""
        return self.standalone if self.rewritten and self.standalone != self.text else None


_WHO = re.compile(r"\b(vilka|vem|vems|who|whom)\b", re.I)
_WHY = re.compile(r"\b(varför|why|vad beror|what causes)\b", re.I)
_HOW = re.compile(r"\b(hur|how)\b|\b(på vilket sätt|what should we do|vad bör vi göra|vad ska vi göra)\b", re.I)
# A question wanting one of these facts is only answered by a sentence that states one (see
# rag.abstention); the patterns follow how managers phrase such questions.
_FACTS = (
    ("amount", re.compile(
        r"\b(hur mycket(?! tid)|vad kostar|kostnaden för|hur stor[at]? (summa|budget|belopp|kostnad)|vilken (budget|lön)|"
        r"vilka (löner|kostnader)|prislapp|pris(et)? (för|på)|how much(?! time)|what (is|are|was|were) the "
        r"(\w+ ){0,3}(price|cost|budget|salary|salaries)s?|what (do|does|did) .{0,40}\bcost|which salary)\b",
        re.I,
    )),
    ("count", re.compile(r"\b(hur många|antalet|how many|what number of|hur stor andel|what share)\b", re.I)),
    ("date", re.compile(
        r"\b(vilket år|vilket datum|när (börjar|träder|gäller|ska|måste|infördes|trädde|kommer|är sista)|senast när|"
        r"sista (ansökningsdag|dag)|vilken deadline|hur lång tid|hur mycket tid|what year|which year|"
        r"when (does|do|will|did|must|is the)|by when|what date|deadline|how long)\b",
        re.I,
    )),
    ("legal_article", re.compile(
        r"\b(vilken (paragraf|artikel|bestämmelse)|vilket lagrum|vilka paragrafer|vilken lag (säger|reglerar)|"
        r"which (article|section|paragraph|provision)|what (article|section|provision))\b|§",
        re.I,
    )),
    ("product", re.compile(
        r"\b(vilken (leverantör|produkt|programvara|plattform|(språk)?modell|chatbot|molntjänst)|vilket (verktyg|"
        r"system|företag)|vilka (leverantörer|verktyg|produkter|system|(språk)?modeller|molntjänster|plattformar)|"
        r"which (vendor|supplier|provider|product|tool|platform|model|company|software|cloud)|what (vendor|supplier|"
        r"provider|product|tool|platform|software))\b",
        re.I,
    )),
)
_COUNT_TRIGGER = re.compile(r"\b(hur många|antalet|how many)\b", re.I)
_GUIDE = re.compile(r"\b(intervju\w*|frågemall\w*|fragemall\w*|interview\w*)\b", re.I)
_COUNT_FILLERS = frozenset("olika fler flera av de den det våra vår our the of".split())


def read_asks(question: str) -> Asks:
    """What ``question`` asks for (see ``Asks``); who/why win over how ("how many" is a count)."""
    facts = tuple(kind for kind, pattern in _FACTS if pattern.search(question))
    if _WHO.search(question):
        form = "who"
    elif _WHY.search(question):
        form = "why"
    elif _HOW.search(question) and not {"amount", "count"} & set(facts):
        form = "how"
    else:
        form = "what"
    return Asks(form=form, facts=facts, about_guide=bool(_GUIDE.search(question)), counted=_counted(question))


def _counted(question: str) -> str | None:
    """The first content word after "hur många" / "how many": what is being counted."""
    match = _COUNT_TRIGGER.search(question)
    if not match:
        return None
    for word in re.findall(r"[\w-]+", question[match.end():])[:3]:
        if len(word) >= 3 and word.lower() not in _COUNT_FILLERS:
            return word.lower()
    return None


def _unit(vector: np.ndarray) -> np.ndarray:
    norm = float(np.linalg.norm(vector))
    return vector / norm if norm > 0 else vector


class QueryBuilder:
    """Builds ``Query`` objects: embeds, translates and resolves follow-ups.

    ``vocabulary`` is the index's set of stemmed terms: translations the report never uses are
    left out. ``translator`` is None when English questions are not translated.
    """

    def __init__(
        self,
        embedder: Embedder,
        vocabulary: frozenset[str],
        condenser: Condenser,
        translator: QueryTranslator | None = None,
        translate_dense_weight: float = 1.0,
        topic_weight: float = 0.0,
    ) -> None:
        self.embedder = embedder
        self.vocabulary = vocabulary
        self.condenser = condenser
        self.translator = translator
        self.translate_dense_weight = translate_dense_weight
        self.topic_weight = topic_weight

    def build(self, question: str, history: Sequence[Turn] = ()) -> Query:
        resolution = resolve(self.condenser, question, history)
        vector = self._embed(resolution.standalone)
        groups: tuple[TermGroup, ...] = ()
        search_vector = vector
        if self.translator is not None and detect_lang(resolution.standalone) == "en":
            groups = tuple(self.translator.translate(resolution.standalone, self.vocabulary))
            search_vector = self._with_rendering(vector, groups)
        return Query(
            text=question,
            standalone=resolution.standalone,
            lang=detect_lang(question),
            vector=vector,
            search_vector=search_vector,
            groups=groups,
            asks=read_asks(resolution.standalone),
            topic=self._topic(resolution),
            rewritten=resolution.rewritten,
        )

    def _embed(self, text: str) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(text), dtype=np.float32)

    def _with_rendering(self, vector: np.ndarray, groups: tuple[TermGroup, ...]) -> np.ndarray:
        """The question's vector plus that of its Swedish rendering (one word per English word)."""
        swedish = [g.words[0] for g in groups if g.words]
        if not swedish or self.translate_dense_weight <= 0:
            return vector
        rendering = self._embed(" ".join(swedish))
        return _unit(vector + self.translate_dense_weight * rendering)

    def _topic(self, resolution: Resolution) -> Topic | None:
        if not resolution.topic or self.topic_weight <= 0:
            return None
        return Topic(resolution.topic, self._embed(resolution.topic), self.topic_weight)
