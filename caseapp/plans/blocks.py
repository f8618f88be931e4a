"""The blocks of the needs-assessment form (Thông tư 02/2020/TT-BLĐTBXH, bước 1: thu thập thông tin,
đánh giá nhu cầu chăm sóc, trợ giúp) that are not the need domains, the risk or the safety questions:
what the circular lists about the person, their health, psychology, family, economy and education or
work. Stored as Assessment.blocks = {block code: {field code: value}}; pure definitions, no query.

And what the intake already recorded (presenting problems, first screening): the assessment form
starts from it instead of asking again.
"""

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

from ..core import categories as cat
from ..core.categories import Category

_TT02 = "TT 02/2020/TT-BLĐTBXH"

# Household economic status (hộ nghèo, hộ cận nghèo: the poverty lines of the Government).
HOUSEHOLD_STATUSES = (
    Category("poor", "Poor household"),
    Category("near_poor", "Near-poor household"),
    Category("neither", "Neither poor nor near-poor"),
    Category("unknown", "Not known"),
)


@dataclass(frozen=True)
class Block:
    """A block of the form: its title and its fields. A field is free text unless it is in `short`
    (one line) or `options` (one of a code list)."""

    category: Category
    fields: tuple[Category, ...]
    short: frozenset[str] = frozenset()
    options: tuple[tuple[str, tuple[Category, ...]], ...] = ()

    @property
    def code(self) -> str:
        return self.category.code

    def choices_of(self, field: str) -> tuple[Category, ...] | None:
        return dict(self.options).get(field)


BLOCKS = (
    Block(
        Category("general", "General information", _TT02),
        (
            Category("marital_status", "Marital status"),
            Category("reason", "Reason for the assessment, problems found at intake"),
            Category("services_received", "Policies and services already received"),
            Category("priorities", "Support needs in order of priority"),
        ),
        short=frozenset({"marital_status"}),
    ),
    Block(
        Category("health", "Health", _TT02),
        (
            Category("illnesses", "Illnesses, current physical state"),
            Category("disability", "Disability: cause, type and degree"),
            Category("work_capacity", "Capacity to work"),
            Category("self_care", "Self-care in daily living"),
            Category("treatment", "Treatment and rehabilitation so far"),
        ),
        short=frozenset({"work_capacity", "self_care"}),
    ),
    Block(
        Category("psychology", "Psychology", _TT02),
        (
            Category("mental_state", "Current mental and psychological state"),
            Category("emotions", "Emotions and behaviour observed"),
        ),
    ),
    Block(
        Category("family", "Family and relationships", _TT02),
        (
            Category("head", "Head of household and contact"),
            Category("relation_to_head", "Relationship of the client to the head of household"),
            Category("size", "Number of people in the household"),
            Category("place", "The client's place in the family"),
            Category("relationships", "Family and social relationships, who supports the client"),
        ),
        short=frozenset({"head", "relation_to_head", "size"}),
    ),
    Block(
        Category("economy", "Economy and living conditions", _TT02),
        (
            Category("household_status", "Household economic status"),
            Category("occupation", "Main occupation of the household"),
            Category("income_sources", "Income sources (including the monthly social allowance)"),
            Category("expenses", "Monthly expenses"),
            Category("living_conditions", "Housing and living conditions"),
        ),
        short=frozenset({"occupation"}),
        options=(("household_status", HOUSEHOLD_STATUSES),),
    ),
    Block(
        Category("education_work", "Education or work", _TT02),
        (
            Category("education_level", "Education level"),
            Category("school", "School, class"),
            Category("occupation", "Occupation, work"),
            Category("income", "The client's own income"),
        ),
        short=frozenset({"education_level", "school", "occupation", "income"}),
    ),
    Block(
        Category("view", "The client's own view", _TT02),
        (
            Category("wishes", "What the client wishes for"),
            Category("guardian_view", "Opinion of the guardian or family"),
        ),
    ),
)
BLOCKS_BY_CODE = {block.code: block for block in BLOCKS}
BLOCK_TITLES = tuple(block.category for block in BLOCKS)


def block_title(block: str) -> str:
    return cat.label(BLOCK_TITLES, block)


def block_field(block: str, field: str) -> str:
    """The form field (and service error field) of one block's value: b_<block>__<field>."""
    return f"b_{block}__{field}"


def field_label(block: str, field: str) -> str:
    found = BLOCKS_BY_CODE.get(block)
    return cat.label(found.fields, field) if found else field


def value_label(block: str, field: str, value: str) -> str:
    """A stored value for people: a code's label, or the text itself."""
    found = BLOCKS_BY_CODE.get(block)
    options = found.choices_of(field) if found else None
    return cat.label(options, value) if options else value


def document_blocks(blocks: dict | None, codes: tuple[str, ...]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The filled fields of the chosen blocks, in Vietnamese whatever the UI's language (the printed
    form): [(block title, [(field, value)])]; a block with nothing filled is left out."""
    result = []
    for code in codes:
        block = BLOCKS_BY_CODE[code]
        values = (blocks or {}).get(code) or {}
        rows = []
        for f in block.fields:
            value = values.get(f.code)
            if value:
                options = {c.code: c.vi for c in block.choices_of(f.code) or ()}
                rows.append((f.vi, options.get(value, value)))
        if rows:
            result.append((block.category.vi, rows))
    return result


# --- what the intake recorded ----------------------------------------------------------------------------

# First-screening question at intake → the assessment's safety question it already answers.
SCREENING_TO_SAFETY = {"danger_now": "serious_harm", "injured": "injuries", "perpetrator_access": "perpetrator_access"}
# Presenting problem → the need domain it belongs to.
PROBLEM_DOMAINS = {
    "domestic_violence": "safety",
    "child_abuse": "safety",
    "sexual_abuse": "safety",
    "trafficking": "safety",
    "neglect": "relationships",
    "family_conflict": "relationships",
    "lonely_elderly": "relationships",
    "street": "housing",
    "disaster": "housing",
    "disability": "physical_health",
    "hiv": "physical_health",
    "mental_health": "mental_health",
    "drugs": "mental_health",
    "poverty": "livelihood",
    "school_dropout": "education",
    "other": "other",
}


def intake_prefill(problems, problem_note, screening) -> dict:
    """The assessment data the intake's answers give (in the services' shape): the reason (the
    problems and what happened), each problem under its need domain, and the safety answers the
    screening gave (yes or no; "not known" is left for the assessment to answer)."""
    problems = [code for code in problems or () if code in PROBLEM_DOMAINS]
    names = [cat.label(cat.PROBLEMS, code) for code in problems]
    reason = "\n".join(filter(None, ("; ".join(names), (problem_note or "").strip())))
    domains: dict[str, dict[str, str]] = {}
    for code, name in zip(problems, names, strict=True):
        entry = domains.setdefault(PROBLEM_DOMAINS[code], {"situation": ""})
        entry["situation"] = "; ".join(filter(None, (entry["situation"], name)))
    safety = {
        question: (screening or {}).get(asked)
        for asked, question in SCREENING_TO_SAFETY.items()
        if (screening or {}).get(asked) in ("yes", "no")
    }
    return {"blocks": {"general": {"reason": reason}} if reason else {}, "domains": domains, "safety": safety}


def intake_facts(problems, screening, urgency) -> list[tuple[str, str]]:
    """What the intake recorded, for people (shown above the assessment form it started)."""
    answers = cat.labels(cat.SCREENING_ANSWERS)
    facts = [(_l("Presenting problems"), "; ".join(cat.label(cat.PROBLEMS, code) for code in problems or ()) or "—")]
    for question in cat.SCREENING_QUESTIONS:
        answer = (screening or {}).get(question.code)
        facts.append((cat.label(cat.SCREENING_QUESTIONS, question.code), answers.get(answer or "", "—")))
    facts.append((_l("Urgency"), cat.label(cat.URGENCY, urgency)))
    return [(str(name), value) for name, value in facts]


__all__ = [
    "BLOCKS",
    "BLOCKS_BY_CODE",
    "HOUSEHOLD_STATUSES",
    "Block",
    "block_field",
    "block_title",
    "field_label",
    "value_label",
    "intake_prefill",
    "intake_facts",
    "document_blocks",
    "SCREENING_TO_SAFETY",
]
