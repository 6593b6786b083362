"""The shape of an estimate's line items: category, cadence, [low, high] USD and the arithmetic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum


class Category(StrEnum):
    infrastructure = "infrastructure"
    llm_inference = "llm_inference"
    model_optimization = "model_optimization"
    ab_testing = "ab_testing"
    data_pipeline = "data_pipeline"
    storage = "storage"
    security_compliance = "security_compliance"
    team = "team"
    customer_support = "customer_support"
    legal_insurance = "legal_insurance"

    @property
    def label(self) -> str:
        return CATEGORY_LABELS[self]


CATEGORY_LABELS = {
    Category.infrastructure: "Infrastructure",
    Category.llm_inference: "LLM inference",
    Category.model_optimization: "Model optimization",
    Category.ab_testing: "A/B testing",
    Category.data_pipeline: "Data pipeline",
    Category.storage: "Storage",
    Category.security_compliance: "Security & compliance",
    Category.team: "Team",
    Category.customer_support: "Customer support",
    Category.legal_insurance: "Legal & insurance",
}


class Cadence(StrEnum):
    one_time = "one_time"
    monthly = "monthly"
    annual = "annual"


# In definition order, for the loops that run on every estimate (iterating an Enum class walks
# its member map each time).
CATEGORIES = tuple(Category)
# Reading a member off its class (Category.team) is a Python-level lookup too, since EnumType
# defines __getattr__: the cost modules, which make about 110 lines an answer, bind the members
# they use once at import (docs/architecture.md, "Performance idioms").


# LineItem's last field, passed by position where lines are made by the hundred (the cost modules;
# docs/architecture.md, "Performance idioms").
VARIES_WITH_USERS = True


# Not frozen: a frozen dataclass sets each field through object.__setattr__, slow for a type made
# by the hundred (docs/architecture.md, "Performance idioms"). Nothing assigns to a line once
# made (dataclasses.replace makes a new one); it still hashes by its fields as a frozen one did.
@dataclass(slots=True, unsafe_hash=True)
class LineItem:
    """One cost: `basis` is the arithmetic a person can check by hand."""

    category: Category
    item: str
    cadence: Cadence
    low: float
    high: float
    # Written only when read: what-ifs, phases and levers re-price many scenarios and show none.
    explain: Callable[[], str]
    # True when the amount grows with users (the variable part of the scaling curve).
    varies_with_users: bool = False

    @property
    def basis(self) -> str:
        return self.explain()

    @property
    def key(self) -> str:
        return f"{self.category.value}:{self.item}"

    def first_year(self, *, low: bool) -> float:
        amount = self.low if low else self.high
        return amount * 12 if self.cadence is Cadence.monthly else amount

    def to_dict(self) -> dict:
        return {
            "category": self.category.value,
            "item": self.item,
            "cadence": self.cadence.value,
            "low": round(self.low, 2),
            "high": round(self.high, 2),
            "basis": self.basis,
            "varies_with_users": self.varies_with_users,
        }


class Amounts(list):
    """The (low, high) pairs of a group of lines of one cadence, in line order, without the
    lines: a variant's group priced for its sums alone (estimator/variant_sums.py)."""

    __slots__ = ("cadence",)

    def __init__(self, cadence: Cadence, pairs: list[tuple[float, float]]) -> None:
        super().__init__(pairs)
        self.cadence = cadence
