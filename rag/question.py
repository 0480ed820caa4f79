"""Question analysis: what kind of answer is wanted, and which words must be matched."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .nlp import parse
from .retriever import alias_spans, tokenize

__all__ = ["Question", "analyse", "TYPE_LABELS", "QUESTION_TYPES", "FOCUS_TYPES", "FOCUS_TO_TYPE", "focus_kind",
           "token_words", "REPORTING_STEMS", "DURATION_ASKED"]

# spaCy entity labels that can answer each question type, with how well they fit.
TYPE_LABELS: dict[str, dict[str, float]] = {
    "date": {"DATE": 1.0, "TIME": 0.8},
    "number": {"CARDINAL": 1.0, "MONEY": 1.0, "QUANTITY": 1.0, "PERCENT": 1.0, "ORDINAL": 0.6},
    "person": {"PERSON": 1.0, "ORG": 0.5, "NORP": 0.4, "GPE": 0.3},
    "organisation": {"ORG": 1.0, "NORP": 0.7, "PERSON": 0.3},
    "place": {"GPE": 1.0, "LOC": 1.0, "FAC": 0.9, "ORG": 0.3},
}
PERSON_FOCUS_LABELS = {"PERSON": 1.0, "ORG": 0.2}
NATIONALITY_LABELS = {"NORP": 1.0, "GPE": 0.6}
QUESTION_TYPES = ("date", "number", "person", "organisation", "place", "list", "reason",
                  "quote", "phrase")

# Head nouns of "which X" / "what X" that tell the expected type.
FOCUS_TYPES = {
    "date": "year date day weekday month time week decade season period century era deadline".split(),
    "number": ("level number amount percentage percent proportion share figure total sum cost price age "
               "value size toll count rate score margin salary fee fine round stage edition installment instalment "
               "position pay wage budget fare bill debt loss profit revenue sales turnover deficit "
               "surplus attendance crowd audience drop fall rise increase decrease decline growth gain "
               "reduction jump population peak maximum minimum distance height length weight speed "
               "temperature stake valuation majority").split(),
    "person": ("person man woman official minister leader president spokesman spokeswoman "
               "spokesperson secretary diplomat commander chief ceo executive boss player actor "
               "actress singer director manager coach chairman chairwoman head founder author "
               "star politician mp candidate envoy ambassador general king queen prince judge "
               "lawyer analyst economist reporter journalist individual striker captain "
               "winner artist musician writer producer presenter host premier pm chancellor officer servant "
               "governor mayor senator prosecutor detective rapper comedian athlete sprinter runner "
               "footballer goalkeeper defender midfielder forward batsman bowler designer inventor "
               "scientist researcher professor doctor editor critic campaigner activist mep member "
               "novelist pianist guitarist drummer vocalist frontman boxer golfer cyclist swimmer jockey "
               "trainer owner chef dancer poet filmmaker businessman businesswoman entrepreneur "
               "tycoon billionaire investor banker adviser advisor aide deputy rival opponent husband "
               "wife son daughter father mother brother sister victim suspect defendant witness soldier "
               "teenager student teacher veteran heir nominee finalist champion winger keeper referee "
               "cricketer skipper attorney backbencher lawmaker legislator peer negotiator character "
               "councillor solicitor barrister inspector hacker programmer commentator pundit mate teammate colleague "
               "bencher frontbencher prop hooker flanker hurdler rower skier sailor fighter rebel militant "
               "insurgent gunman attacker bomber protester demonstrator").split(),
    "organisation": ("organisation organization group company firm agency party team club body "
                     "institution network bank militia coalition union association department "
                     "ministry government newspaper channel broadcaster studio label band "
                     "business corporation carrier airline maker manufacturer retailer "
                     "regulator court council committee commission faction outlet grouping "
                     "alliance federation league organisation paper tabloid magazine publisher "
                     "developer operator provider watchdog charity university school hospital broker "
                     "lender insurer supermarket chain brand giant affiliate subsidiary offshoot branch squad outfit "
                     "consortium website mission house tank institute journal bookmaker bookie").split(),  # tank: "think-tank"
    "place": ("city country place region town capital state location venue nation area "
              "province district village site county continent hall stadium building "
              "neighbourhood neighborhood market airport island street resort port harbour suburb nationality "
              "borough constituency arena shantytown slum township ground seat").split(),
}
FOCUS_TO_TYPE = {noun: qtype for qtype, nouns in FOCUS_TYPES.items() for noun in nouns}
PERSON_SUFFIX = re.compile(r"^[a-z]{3,}(ist|ian)$")  # "novelist", "comedian": people, unlisted ones too


def focus_kind(noun: str) -> str | None:
    """The answer type a "which X" noun asks for, if it is a kind of name."""
    return FOCUS_TO_TYPE.get(noun) or ("person" if PERSON_SUFFIX.match(noun) else None)

REASON = re.compile(
    r"^\s*(why|how come)\b|\b(for|on) what (reason|purpose|grounds?)\b|\bas (the )?(grounds|reason|justification)\b|"
    r"\bwhat (?:(?:did|does|do) [^?]{1,60} (?:say|said) )?(was|is|were|are) the (\w+ )?"
    r"(reason|cause|motive|purpose|rationale|grounds?|aim|goal|objective|justification|explanation)\b|"
    # "What were the strikes a response to?"
    r"\b(a|an|in) (response|retaliation|reaction|reply) to\s*\??\s*$|"
    # "What explanation did the singer give for ...", "what makes Word files prone to leaks"
    r"\bwhat (reason|explanation|justification|excuse|motive|rationale)s? (did|does|do|was|were|is|has|have|had)\b|"
    r"\bwhat (goal|aim|purpose|objective|motivation)s?\b|\bwhat makes\b|"
    r"\bwhat (helped|helps|prompted|caused|led to|motivated|"
    r"triggered|drove|brought)\b|\breasons?\b.*\b(for|behind)\b"
    # "What event led the parliament to pass ...": a cause, not "what company led the bid"
    r"|\bwhat (event|incident|development|move|decision|factor)s? (prompted|caused|motivated|triggered|"
    r"drove|brought|sparked|spurred|led)\b"
    # "What led Multiplex to switch ...", "What justified pulling ...", "What fault prompted GM to ..."
    r"|^\s*what (led|justified|justifies|explains|explained)\b|\bwhat helps? (to )?explain\b"
    r"|^\s*what [\w-]+ (prompted|caused|motivated|triggered|sparked|spurred|forced)\b"
    # "What was behind the fall ...", "What does the government credit for the fall ...?"
    r"|\bwhat (was|is|were|are|lay|lies|lie) behind\b|^\s*what (did|does|do) .+ (credit|blame|attribute)\b",
    re.I,
)
QUOTE = re.compile(
    r"\bwhat (did|does|had) .+ (say|said|tell|call|warn|add|note|stress|describe)\b"
    r"|\bhow did .+ (describe|call|characteri[sz]e|put)\b|\bwhat words\b|\bin what terms\b"
    r"|\bwhat (phrase|expression|words?)\b|\bquote\b",
    re.I,
)
# "What did Howard say was the average population ...?" asks for the population, not his words
REPORTED_VALUE = re.compile(r"^\s*what (did|does|do|had) .+? (say|said|tell|told|claim|estimate|expect|believe|think)\w* "
                            r"(was|were|is|are|would be|will be|had been|could be)\b", re.I)
LEAD_IN = re.compile(r"^\s*(according to|in the words of|as reported by|per)\b[^,?]{1,80},\s*", re.I)
AMOUNT = re.compile(r"\bhow much\b", re.I)
# "what will it charge": a sum ("what will the aid pay for?" asks what it buys)
PRICE_VERB = r"\b(charge|cost|pay|earn|fetch)\b(?! tribute| for\s*\?)"
PRICED = re.compile(PRICE_VERB, re.I)
COUNT = re.compile(r"\bhow many\b", re.I)
PERCENTAGE_POINTS = re.compile(r"\bhow many (percentage )?points\b|\bper ?cent\b", re.I)
MONEY_FOCUS = frozenset("sum cost price value salary fee fine pay wage budget fare bill debt loss profit "
                        "revenue turnover deficit surplus".split())  # "what sum ...": an amount
# a length of time, or how often: "every 5.8 seconds", "in 36 hours"
DURATION_ASKED = re.compile(r"\bhow (long|often|frequently|quickly)\b|\bhow much time\b|\bhow many (seconds|"
                            r"minutes|hours|days|weeks|months|years|decades)\b", re.I)
# "What will the aid money pay for?" asks its purpose ("to provide shelter"), not a sum
PAID_FOR = re.compile(r"\b(money|aid|funds?|funding|cash|grants?|assistance|package|budget|donations?) pay for\b", re.I)
NUMBER = re.compile(r"\bhow (many|much|old|far|large|big|long|tall|fast|quickly|often|frequently)\b"
                    r"|\bwhat (percentage|proportion)\b"
                    # "What will the website charge for each hunt?": a price
                    rf"|^\s*what (will|would|did|does|do|is|was) [^?]{{1,60}}{PRICE_VERB}",
                    re.I)
DATE = re.compile(r"^\s*when\b|\bwhen (did|was|is|will|were|does|do|has|had|are)\b|\bsince when\b"
                  r"|\bby when\b|\bby what (point|time)\b|\bon what (day|date)\b|\bin what (year|month)\b", re.I)
COUNTED = re.compile(r"^\s*(\w+\s+)?(which|what|name|list)\s+(the\s+)?(two|three|four|five|six|seven|eight|nine|ten|both)\b", re.I)
# "(In) which fields ...", also after an opening clause or a noun: "Consumers in which countries ..."
WHICH_ONES = re.compile(r"^\s*([^,?]{1,80},\s*)?((?:[\w-]+\s+){0,3}(?:in|at|from|to|on|for)\s+)?"
                        r"(what|which)\b", re.I)
KIND_OF = re.compile(r"\b(what|which) (type|kind|sort|form)s? of\b", re.I)  # one kind, not a list
PLACE = re.compile(r"\bwhere\b|\bin what (city|country|town|place)\b", re.I)
PERSON = re.compile(r"\b[Ww]ho(m|se)?\b")  # not "WHO", the organisation
# "Who is Matthew Miller?", "What is the Higher Military Commission?": what a named thing is
# ("Who is the Iraqi Foreign Minister?" asks for a name: a role, with "the")
DEFINITION = re.compile(r"^\s*(?:(?i:who) (?i:is|was) (?P<person>[A-Z][\w.'’&-]*(?: [A-Z][\w.'’&-]*){0,3})"
                        r"|(?i:what) (?i:is|was|are|were) (?i:the )?[A-Z][\w.'’&-]*(?: (?:of |the |for |and )*"
                        r"[A-Z][\w.'’&-]*)*)\s*\??\s*$")


def _asks_what_a_name_is(text: str) -> bool:
    m = DEFINITION.match(text)
    return bool(m) and not (m.group("person") and focus_kind(m.group("person").split()[-1].lower()))


def _asks_who(text: str) -> bool:
    """'Who ...?', not the relative 'who' of "What term could the executive who admitted ... face?"."""
    m = PERSON.search(text)
    return bool(m) and not WHAT_OR_WHICH.search(text, 0, m.start())


WHAT_OR_WHICH = re.compile(r"\b(what|which)\b", re.I)
PEOPLE_ASKED = re.compile(r"\bwho (were|are|have been)\b", re.I)
LISTING = re.compile(r"^\s*(name|list)\b|\bwhat are (some of )?the\b.*\b(areas|fields|sectors|issues|"
                     r"topics|services|items)\b", re.I)


@dataclass(frozen=True)
class Question:
    text: str
    qtype: str
    focus: str  # head noun of the wh-phrase ("troops" in "how many troops"), lower-case lemma
    wh_role: str  # grammatical role of the asked-for thing: "nsubj" in "Who said ...?"
    terms: tuple[str, ...]  # stemmed content words
    key_terms: tuple[str, ...]  # stemmed names and numbers: an answer passage should have them
    words: frozenset[str] = frozenset()  # every stemmed word of the question, stop words too
    pairs: frozenset[tuple[str, str]] = frozenset()  # adjacent words ("us", "deleg")
    anchor: str = ""  # stem of the verb the wh-word hangs from ("agre" in "What did X agree to?")
    wh_prep: str = ""  # preposition the asked-for thing hangs from ("under" in "Under which ...")
    focus_terms: frozenset[str] = frozenset()  # stems of the asked-about phrase (see _focus_terms)
    set_aside: frozenset[str] = frozenset()  # stems of what the answer is not ("Apart from X, what ...")
    reported_verb: str = ""  # "overturn" in "What did X say the plan would be overturning?"
    asks_definition: bool = False  # "Who is Matthew Miller?": what a named thing is, not a name
    name_terms: tuple[str, ...] = ()  # stems of the proper names among key_terms ("brazil"), not "Russian"
    aside_terms: frozenset[str] = frozenset()  # stems said only in a clause describing another noun

    @property
    def anchor_words(self) -> frozenset[str]:
        """Stems that count as the question's verb in a sentence: verbs of saying stand for one
        another ("insisted" in the question, "said" in the article)."""
        return REPORTING_STEMS if self.anchor in REPORTING_STEMS else self.act_words

    @property
    def act_words(self) -> frozenset[str]:
        """Stems that say the question's act in other words ("leads" for "heads"); unlike
        ``anchor_words``, not any verb of saying for "said"."""
        if not self.anchor:
            return frozenset()
        if self.anchor in RESPONSIBILITY_VERBS and "respons" in self.terms:
            return RESPONSIBILITY_VERBS  # "took responsibility for the attack": "claimed by X"
        return SAME_ACT.get(self.anchor, frozenset((self.anchor,)))

    @property
    def focus_stem(self) -> str:
        stems = tokenize(self.focus) if self.focus else []
        return stems[0] if stems else ""

    @property
    def labels(self) -> dict[str, float]:
        labels = TYPE_LABELS.get(self.qtype, {})
        if self.focus in ("nationality", "citizenship"):
            return NATIONALITY_LABELS  # "Iranian", or the country
        if self.qtype == "person" and focus_kind(self.focus) == "person":
            # "Which spokesman ...": a person, not a country or a nationality as a bare "who" may
            # be; a name the small tagger took for an organisation is kept a little
            return PERSON_FOCUS_LABELS
        if self.qtype == "number" and DURATION_ASKED.search(self.text):
            # "How long ...", "how much time ...": a length of time ("43 minutes", "three years")
            # "2,500" is no length of time, "the first time" no answer to "for how long"
            return {**labels, "TIME": 1.0, "DATE": 0.9, "CARDINAL": 0.3, "ORDINAL": 0.0}
        if self.qtype == "number" and (AMOUNT.search(self.text) or self.focus in MONEY_FOCUS
                                       or PRICED.search(self.text)):
            # "How much ..." asks for an amount (money, a quantity), rarely a bare count
            labels = {**labels, "CARDINAL": 0.6}
            if self.focus in MONEY_FOCUS:
                labels["PERCENT"] = 0.5  # "What pre-tax profit ...": a sum, rarely its growth
            if self.focus in MONEY_FOCUS or PRICED.search(self.text):
                labels["QUANTITY"] = 0.2  # "How much does the iPod cost?" is no "one gigabyte"
        elif self.qtype == "number" and COUNT.search(self.text):
            # "How many jabs / pence ...": a count, not a sum of money nor a share
            labels = {**labels, "MONEY": 0.2, "PERCENT": 1.0 if PERCENTAGE_POINTS.search(self.text) else 0.2}
        if self.qtype == "number" and self.focus and self.focus not in RANKED_FOCUS:
            labels = {**labels, "ORDINAL": 0.3}  # "what deficit" is no "second" (half), "which round" may be
        return labels


# what an ordinal ("third", "2nd") can be the number of
RANKED_FOCUS = frozenset("round stage edition position place rank ranking time attempt term title "
                         "anniversary day year week month season leg game match heat".split())

SETTING_ASIDE = re.compile(r"\b(?:apart from|aside from|besides|other than|except(?: for)?|in addition to|"
                           r"alongside|along with|as well as)\s+"
                           # up to the verb: "other than the US [are stationed in Iraq]"
                           r"([^,?;]+?)(?=\s+(?:are|is|was|were|did|do|does|has|have|had|will|would|can|could)\b|[,?;]|$)",
                           re.I)


def _set_aside(question: str) -> frozenset[str]:
    """'Apart from vaccine doses, what else ...?': the answer is not the doses."""
    return frozenset(w for m in SETTING_ASIDE.finditer(question) for w in tokenize(m.group(1)))


AUXILIARIES = frozenset("did does do is are was were has have had will would can could should may might "
                        "must shall".split())


REQUESTS = frozenset("name identify give state tell list".split())  # "Give the date of ...": what is asked


def _focus_after_wh(doc):
    """The last noun of the words right after a leading 'which'/'what' ('boss' in 'Which Greek
    Athletics Federation boss told ...'): the small tagger often mis-tags questions, so the
    words are read up to the auxiliary or the verb that follows them."""
    first = _after_lead_in(doc)
    start = next((t.i for t in doc[first : first + 3] if t.lower_ in ("which", "what", "whose")), None)
    if start is None and first < len(doc) and doc[first].lower_ in REQUESTS:
        start = first  # "Name the Iranian general who ..." asks about the general
        while start + 1 < len(doc) and (doc[start + 1].pos_ == "DET" or doc[start + 1].lower_ in ("me", "us")):
            start += 1
    if start is None:
        return None
    focus = None
    request = doc[start].lower_ not in ("which", "what", "whose")
    for tok in doc[start + 1 :]:
        if tok.text == "-" and not tok.whitespace_ and tok.i > 0 and not doc[tok.i - 1].whitespace_:
            continue  # "team-mate", "front-benchers": one word to a reader
        if tok.text == "&":
            continue  # "Which Marsh & McLennan senior vice president ...": inside a name
        if tok.lower_ in AUXILIARIES or tok.pos_ in ("ADP", "PUNCT", "PRON", "DET", "CCONJ", "SCONJ"):
            break
        if focus is not None and tok.tag_ == "VBZ" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ in AUXILIARIES:
            focus = tok  # "Which BBC shows will ...": a plural noun the tagger took for a verb
            continue
        if focus is not None and (tok.tag_ in ("VBD", "VBZ", "VBP", "MD") or (
                tok.tag_ in ("VBN", "VBG") and not _modifies_next(doc, tok))):
            break  # "Which ... boss told", "the general killed in": the verb after the noun
        if tok.tag_ == "POS" and focus is not None:
            if request:  # "Name the Asian Development Bank's top economist": the economist
                focus = None
                continue
            break  # "which former president's administration" asks about the president
        if tok.pos_ in ("NOUN", "PROPN", "VERB") or tok.tag_ in ("NN", "NNS", "VBZ"):
            focus = tok
    if focus is not None and focus.pos_ == "PROPN" and focus_kind(focus.lower_) is None:
        return None  # "Which Alfa Romeo ...": a name, not a kind of thing
    return focus


def _modifies_next(doc, tok) -> bool:
    """'guaranteed' in "minimum guaranteed maternity pay" qualifies the noun after it."""
    return tok.i + 1 < len(doc) and doc[tok.i + 1].pos_ in ("NOUN", "PROPN", "ADJ")


def _after_lead_in(doc) -> int:
    """The first token after a leading "According to X," (0 when there is none)."""
    lead = LEAD_IN.match(doc.text)
    if not lead:
        return 0
    return next((t.i for t in doc if t.idx >= lead.end()), len(doc))


def _acts_as_verb(tok) -> bool:
    """A word tagged as a noun that has a subject or an auxiliary is a verb ("How much did the
    minister repay?")."""
    return any(c.dep_ in ("nsubj", "aux") for c in tok.children)


def _focus_token(doc, raised=None):
    """The noun the wh-word asks about: 'official' in 'Which Iraqi official ...'."""
    early = _focus_after_wh(doc)
    if early is not None:
        return early
    for tok in doc:
        low = tok.lower_
        if low in ("which", "what", "whose") and tok.dep_ == "det":
            return tok.head
        if low in ("many", "much") and tok.head.pos_ in ("NOUN", "PROPN") and not _acts_as_verb(tok.head):
            return tok.head
    m = re.search(r"\bhow (?:big|large|long|far|old|much|many|high|deep|wide) (?:an? )?(\w+)", doc.text, re.I)
    if m:  # "how big a stake" asks about the stake
        for tok in doc:
            if tok.idx == m.start(1) and tok.pos_ in ("NOUN", "PROPN"):
                return tok
    for tok in doc:
        if tok.lemma_.lower() in ("name", "identity", "type", "kind", "sort") and any(
            c.lower_ == "of" for c in tok.children
        ):
            return tok
    for tok in doc:
        if tok.lower_ in ("which", "what") and tok.i + 1 < len(doc):
            nxt = doc[tok.i + 1]
            for later in doc[tok.i + 1 : tok.i + 4]:  # "which Spanish airline"
                if later.pos_ == "NOUN":
                    return later
                if later.pos_ not in ("ADJ", "PROPN", "ADV"):
                    break
            if nxt.lower_ == "of":  # "which of the countries"
                for later in doc[tok.i + 2 :]:
                    if later.pos_ == "NOUN":
                        return later
    for tok in doc:  # "What was the death toll of ...", "Who is the Welsh Health Minister ...":
        if tok.lower_ in ("what", "which", "who") and tok.head.lemma_ == "be":  # the copula's subject
            for child in tok.head.children:
                if child.i != tok.i and child.dep_ in ("nsubj", "attr") and (
                        child.pos_ == "NOUN" or child.lower_ in FOCUS_TO_TYPE) \
                        and not (raised is not None and child.i < raised.i):
                    return child  # not "the aid" of "What is the aid meant to provide?"
    return _reported_copula_subject(doc)


def _reported_copula_subject(doc):
    """'population' in "What did Howard say was the average population of ...?": the thing a
    reported 'was' is about, asked for through the verb of saying."""
    wh = next((t for t in doc if t.lower_ in ("what", "which") and t.dep_ in ("dobj", "nsubj")), None)
    if wh is None:
        return None
    for clause in wh.head.children:
        if clause.dep_ == "ccomp" and clause.lemma_ == "be":
            return next((c for c in clause.children if c.dep_ in ("nsubj", "attr") and c.pos_ == "NOUN"), None)
    return None


def _wh_role(doc, focus, raised=None) -> str:
    """The role the answer plays in the question's clause (subject, object, ...)."""
    if raised is not None:  # see _raised_verb
        return "dobj"
    for tok in doc:
        if tok.lower_ == "how" and focus is not None and tok.i + 1 < len(doc) \
                and doc[tok.i + 1].lower_ == "many" and 0 < focus.i - tok.i <= 4:
            return focus.dep_  # "How many PCs will China add?": the PCs are what is added
        if tok.tag_ in ("WP", "WDT", "WP$") or tok.lower_ in ("who", "whom", "what", "which"):
            follows = focus is not None and tok.lower_ in ("which", "what", "whose") and 0 < focus.i - tok.i <= 5
            target = focus if follows or (focus is not None and tok.dep_ == "det") else tok
            if _subject_follows(doc, max(tok.i, target.i)) and target.dep_ != "dative":
                # "Which outlet did Hussein tell ...?": the subject comes after "did", so the
                # asked-for thing is the object, whatever the small parser made of it
                return "pobj" if _stranded_prepositions(doc, tok) else "dobj"
            return target.dep_
    return ""


INVERTING = frozenset("did does do will would can could should may might must has have had shall".split())


def _subject_follows(doc, wh_end: int) -> bool:
    """'<wh-phrase> did the minister ...': an auxiliary then a noun phrase after the wh-phrase."""
    if wh_end + 2 >= len(doc) or doc[wh_end + 1].lower_ not in INVERTING:
        return False
    return doc[wh_end + 2].pos_ in ("DET", "PROPN", "NOUN", "PRON", "ADJ", "NUM")


def _stranded_prepositions(doc, wh) -> list:
    """'Which city did he move to?': a preposition left without its object has lost it to the wh-word."""
    return [t for t in doc if t.dep_ == "prep" and t.i > wh.i and not any(True for _ in t.children)]


# "What is the aid meant to provide?": words between "is <subject>" and "to <verb>"
RAISING_WORDS = frozenset("expected set due meant going planning hoping likely about supposed scheduled "
                          "poised able willing trying seeking aiming preparing intending".split())
OBJECT_STARTS = frozenset(("DET", "NOUN", "PROPN", "NUM", "PRON", "ADJ"))


def _raised_verb(doc):
    """'provide' in "What kinds of services is the aid meant to provide?": after the wh-phrase, a
    form of "be", its subject and "meant / expected / going ... to <verb>", the wh-phrase is that
    verb's missing object (the small parser hangs it from "is" instead)."""
    wh = next((t for t in doc if t.tag_ in ("WP", "WDT", "WP$", "WRB")), None)
    if wh is None:
        return None
    be = next((t for t in doc[wh.i + 1 : wh.i + 6] if t.lemma_ == "be"), None)
    if be is None or be.i + 1 >= len(doc) or doc[be.i + 1].pos_ not in OBJECT_STARTS:
        return None  # "Who is expected to win?": the wh-word is the subject
    for tok in doc[be.i + 2 : -2]:
        verb, after = doc[tok.i + 2], doc[tok.i + 3] if tok.i + 3 < len(doc) else None
        if tok.lower_ in RAISING_WORDS and doc[tok.i + 1].lower_ == "to" and verb.pos_ == "VERB":
            has_object = any(c.dep_ in ("dobj", "attr") for c in verb.children) or (
                after is not None and after.pos_ in OBJECT_STARTS)
            return None if has_object else verb
    return None


def _anchor(doc, focus, raised=None) -> str:
    """The verb that governs the asked-for thing: its match in a sentence governs the answer."""
    wh = next((t for t in doc if t.tag_ in ("WP", "WDT", "WP$", "WRB")), None)
    if wh is None:
        return ""
    if raised is not None:
        return tokenize(raised.text)[0]
    tok = focus if focus is not None and focus.i > wh.i else wh
    for anc in tok.ancestors:
        if (anc.pos_ == "VERB" or _acts_as_verb(anc)) and anc.lemma_ not in ("be", "do", "have"):
            anc = _what_it_took(anc)
            words = tokenize(anc.text)
            return words[0] if words else ""
    return ""


def _what_it_took(verb):
    """'snap' in "How long did it take for the seats to be snapped up?": "take" only frames the
    time; the article says what was done ("sold out in 36 hours")."""
    if verb.lemma_ != "take" or not any(c.lower_ == "it" for c in verb.children):
        return verb
    done = [t for t in verb.subtree if t.pos_ == "VERB" and t.i > verb.i and t.dep_ in ("xcomp", "advcl", "ccomp", "conj")]
    return done[0] if done else verb


# Verbs of saying: news reports one with another ("insisted" in the question, "said" in the
# article), so for the question's verb any of them is a match.
REPORTING_STEMS = frozenset(tokenize(
    "say said says tell told insist insisted claim claimed warn warned argue argued add added stress stressed "
    "state stated note noted explain explained admit admitted announce announced declare declared "
    "maintain maintained confirm confirmed assert asserted"))


# Verbs news uses for one another: "Who heads the team?" is answered by "X, who leads it".
SAME_ACT_VERBS = ("buy acquire purchase", "lead head captain", "resign quit", "beat defeat",
                  "sack fire dismiss", "ban prohibit outlaw", "offer provide supply", "cut reduce slash",
                  "raise increase boost", "appoint hire", "protect safeguard", "begin start launch",
                  "sue prosecute", "criticise criticize condemn", "support endorse",
                  "fall drop decline slump", "rise climb jump", "arrest detain", "reject refuse", "score net",
                  "win clinch", "host receive welcome", "pledge promise vow commit undertake",
                  "concentrate focus", "kill assassinate murder", "address cover tackle")
SAME_ACT = {stem: group for group in (frozenset(tokenize(verbs)) for verbs in SAME_ACT_VERBS) for stem in group}
# "took / accepted responsibility for the attack" is said "claimed by X"; only with
# "responsibility", as "claim" is otherwise a verb of saying (see Question.act_words)
RESPONSIBILITY_VERBS = frozenset(tokenize("take accept claim"))


def _reported_verb(doc, anchor: str) -> str:
    """The verb of what was said when the question asks about it: 'overturn' in "What did Lord
    Harris say the plan would be overturning?" (the wh-word hangs from "say")."""
    if anchor not in REPORTING_STEMS:
        return ""
    said = next((t for t in doc if tokenize(t.text)[:1] == [anchor]), None)
    if said is None:
        return ""
    # what was said is the reporting verb's clause, whatever the tagger calls its head
    # ("would be overturning" comes out as an adjective)
    said_clause = next((c for c in said.children if c.dep_ in ("ccomp", "xcomp")), None)
    if said_clause is None:
        later = [t for t in doc if t.pos_ == "VERB" and t.i > said.i]
        said_clause = later[-1] if later else None
    words = tokenize(said_clause.text) if said_clause is not None else []
    return words[0] if words else ""


def _wh_prep(doc, focus) -> str:
    for tok in doc[1:]:
        if tok.lower_ in ("how", "when") and doc[tok.i - 1].tag_ == "IN":
            return doc[tok.i - 1].lower_  # "By how much ...", "For how long ...", "..., by when ..."
    wh = next((t for t in doc if t.tag_ in ("WP", "WDT", "WP$", "WRB")), None)
    if wh is None:
        return ""
    # "How much did it rise to?": the "much" of "how much" is what the preposition takes
    degree = wh.head if wh.lower_ == "how" and wh.head.i == wh.i + 1 else None
    for tok in (wh, degree, focus):
        if tok is not None and tok.dep_ in ("pobj", "pcomp") and tok.head.dep_ == "prep":
            return tok.head.lower_
    if len(doc) > 1 and doc[0].tag_ == "IN" and doc[1].i == wh.i:  # "Through what medium ...", however parsed
        return doc[0].lower_
    stranded = _stranded_prepositions(doc, wh)
    return stranded[-1].lower_ if stranded else ""


def _focus_terms(doc, focus) -> frozenset[str]:
    """Stems of the asked-about phrase, with its "of" phrase: "which deputy leader of Iraq's
    Popular Mobilization Forces"."""
    if focus is None:
        return frozenset()
    end = focus.i
    for child in focus.rights:
        if child.dep_ == "prep" and child.lower_ == "of":
            end = child.right_edge.i
    return frozenset(w for tok in doc[focus.left_edge.i : end + 1] for w in tokenize(tok.text))


def _focus_through_name(doc, focus):
    """'the name of the spokesman' asks about the spokesman."""
    if focus is not None and focus.lemma_.lower() in ("name", "identity", "title", "type", "kind",
                                                      "sort", "form"):
        for child in focus.children:
            if child.dep_ == "prep" and child.lower_ == "of":
                for obj in child.children:
                    if obj.dep_ == "pobj" and not _is_a_name(focus, obj):
                        return obj
    return focus


def _is_a_name(focus, obj) -> bool:
    """'the real name of Sizzla' asks for a name; 'the name of the Iraqi PM' for the PM."""
    return focus.lemma_.lower() == "name" and obj.pos_ == "PROPN" and not focus_kind(obj.lemma_.lower())


def _question_type(text: str, focus) -> str:
    focus_type = focus_kind(focus.lemma_.lower()) if focus is not None else None
    plural = focus is not None and (focus.tag_ in ("NNS", "NNPS") or (
        focus.lower_.endswith("s") and not focus.lower_.endswith("ss") and focus.lemma_.lower() != focus.lower_))
    text = LEAD_IN.sub("", text)  # "According to the report, why ..." asks "why ..."
    if REASON.search(text) or PAID_FOR.search(text):
        return "reason"  # what money pays for is its purpose: "aid to provide shelter"
    if NUMBER.search(text):
        return "number"
    if DATE.search(text):
        return "date"
    if focus_type in ("date", "number"):
        return focus_type
    if _asks_what_a_name_is(text):
        return "phrase"  # "Who is Matthew Miller?", "What is the Higher Military Commission?": what it is
    if QUOTE.search(text) and not (focus_type and REPORTED_VALUE.search(text)):
        return "quote"
    if COUNTED.search(text) and plural:
        return "list"  # "which two managers"
    if plural and focus_type == "person" and PEOPLE_ASKED.search(text):
        return "list"  # "Who were the founding members of the band?"
    if LISTING.search(text) and (plural or not focus_type):
        return "list"
    # "(In) which fields ...", also after an opening clause; "through what instruments" asks how
    if plural and focus_type not in ("person",) and WHICH_ONES.match(text) and not KIND_OF.search(text):
        return "list"
    if PLACE.search(text):
        return "place"
    if focus_type:
        return focus_type
    if _asks_who(text):
        return "person"
    return "phrase"


FOLDED_NAMES = frozenset(("us", "uk", "un", "eu"))  # what alias_spans folds to ("us" is a stop word)


def token_words(doc) -> list[list[str]]:
    """Each token's matching words; a name written several ways ("the United States") gives its
    folded word once, on its last token (the name's head), as when the whole text is tokenised."""
    words = [tokenize(tok.text) for tok in doc]
    for start, end, alias in alias_spans(doc.text):
        inside = [tok.i for tok in doc if start <= tok.idx < end]
        for i in inside:
            words[i] = []
        if inside:
            words[inside[-1]] = [alias]
    return words


def analyse(question: str) -> Question:
    doc = parse(question)
    raised = _raised_verb(doc)  # read once: focus, role, verb and asides all depend on it
    focus = _focus_through_name(doc, _focus_token(doc, raised))
    qtype = _question_type(question, focus)
    anchor = _anchor(doc, focus, raised)
    words = token_words(doc)
    key, names = [], []
    for tok in doc:
        if tok.pos_ in ("PROPN", "NUM") or tok.ent_type_ in ("GPE", "ORG", "PERSON", "NORP", "LOC",
                                                              "FAC", "EVENT"):
            key.extend(words[tok.i])
            if tok.pos_ == "PROPN" and tok.ent_type_ != "NORP":
                names.extend(words[tok.i])
    terms = [t for tok in doc if not tok.is_stop or FOLDED_NAMES.intersection(words[tok.i])
             for t in words[tok.i]]
    terms = [t for t in terms if t not in _QUESTION_WORDS]
    return Question(
        text=question,
        qtype=qtype,
        focus=focus.lemma_.lower() if focus is not None else "",
        wh_role=_wh_role(doc, focus, raised),
        anchor=anchor,
        reported_verb=_reported_verb(doc, anchor),
        asks_definition=qtype == "phrase" and _asks_what_a_name_is(question),
        wh_prep=_wh_prep(doc, focus),
        focus_terms=_focus_terms(doc, focus),
        terms=tuple(dict.fromkeys(terms)),
        key_terms=tuple(dict.fromkeys(t for t in key if t in terms)),
        name_terms=tuple(dict.fromkeys(t for t in names if t in terms)),
        words=frozenset(tokenize(question)),
        set_aside=_set_aside(question),
        aside_terms=_aside_terms(doc, focus, words, raised),
        pairs=frozenset(p for p in zip(tokenize(question), tokenize(question)[1:])
                        if p[0] in terms and p[1] in terms),
    )


DESCRIBING_CLAUSES = frozenset(("relcl", "acl"))


def _aside_terms(doc, focus, words: list[list[str]], raised=None) -> frozenset[str]:
    """Stems said only in a clause describing a noun other than the asked-for one: "that Hussein
    pointed to as proof of ISIS activity" in "Where did the bombing that Hussein pointed to ...
    take place?" says which bombing; the answer hangs from "bombing", not from those words.
    A clause describing the asked-for thing ("the company that bought X") is not set aside."""
    wh = next((t for t in doc if t.tag_ in ("WP", "WDT", "WP$", "WRB")), None)
    aside: set[int] = set()
    for tok in doc:
        if tok.dep_ not in DESCRIBING_CLAUSES or focus is not None and tok.head.i == focus.i:
            continue
        inside = {t.i for t in tok.subtree}
        if wh is not None and wh.i in inside or focus is not None and focus.i in inside \
                or raised is not None and raised.i in inside:
            continue
        aside |= inside
    core = {w for tok in doc if tok.i not in aside for w in words[tok.i]}
    return frozenset(w for i in aside for w in words[i] if w not in core)


_QUESTION_WORDS = frozenset(
    tokenize(
        "what which who whom whose when where why how many much did does do was were is are "
        "has have had will would could should can may might name list according article"
    )
)
