"""The reference evaluator: one person, pure Python, with a trace a citizen can read.

`evaluate` computes a value following `rules.ir`'s semantics exactly; the vectorised and SQL
evaluators are tested against it. `explain_service` also returns, for each step, a sentence in
the citizen's language naming the registry fact and where it came from, and the parameters with
the date they hold from and their source.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from fractions import Fraction

from gov3.rules import ir
from gov3.rules.errors import EvaluationError
from gov3.rules.facts import FACTS, SOURCES, Facts, Subject
from gov3.rules.ir import Scope, Type, Value
from gov3.rules.pack import RulePack, Service

# -- evaluation -------------------------------------------------------------------------------


def years_between(start: date, end: date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def months_between(start: date, end: date) -> int:
    return 12 * (end.year - start.year) + end.month - start.month - (end.day < start.day)


def floor_div(a: int, b: int) -> int:
    return 0 if b == 0 else a // b


def modulo(a: int, b: int) -> int:
    return 0 if b == 0 else a % b


def ratio_terms(numerator: int, denominator: int) -> tuple[int, int]:
    """``numerator / denominator`` as (n, d) with ``d > 0`` (``0 / 1`` for a zero divisor)."""
    if denominator == 0:
        return 0, 1
    if denominator < 0:
        return -numerator, -denominator
    return numerator, denominator


def in_range(value: int) -> int:
    """`value`, refused as every evaluator refuses a number beyond 64 bits (explain could go
    on exactly, but then it would give an answer the others cannot)."""
    if not ir.INT64_MIN <= value <= ir.INT64_MAX:
        raise EvaluationError(
            "A number in the rule goes beyond 64 bits for some people; the rule cannot be "
            "evaluated for these facts."
        )
    return value


def ratio_text(value: Fraction) -> str:
    """A ratio as people read it: whole, or to two decimals ("≈" when that rounds), with
    thousands separators: ``10 / 3`` is "≈3.33", ``7 / 2`` "3.5"."""
    if value.denominator == 1:
        return f"{value.numerator:,}"
    hundredths = round(value * 100)
    whole, rest = divmod(abs(hundredths), 100)
    shown = f"{'-' if hundredths < 0 else ''}{whole:,}" + f".{rest:02d}".rstrip("0").rstrip(".")
    return shown if Fraction(hundredths, 100) == value else f"\u2248{shown}"


def cross_products(left: tuple[int, int], right: tuple[int, int]) -> tuple[int, int]:
    """(a·d, c·b) for ``a / b`` compared with ``c / d`` (both divisors positive), refused as
    every evaluator refuses when a product leaves 64 bits."""
    products = (left[0] * right[1], right[0] * left[1])
    for product in products:
        if not ir.INT64_MIN <= product <= ir.INT64_MAX:
            raise EvaluationError(
                "Comparing the ratios needs a number beyond 64 bits (a cross product of "
                f"{product:,}); the rule cannot be evaluated for these facts."
            )
    return products


_ARITH: dict[str, Callable[[int, int], int]] = {
    "+": lambda a, b: a + b,
    "-": lambda a, b: a - b,
    "*": lambda a, b: a * b,
    "//": floor_div,
    "%": modulo,
}
_COMPARE: dict[str, Callable[[object, object], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    "<": lambda a, b: a < b,  # type: ignore[operator]
    "<=": lambda a, b: a <= b,  # type: ignore[operator]
    ">": lambda a, b: a > b,  # type: ignore[operator]
    ">=": lambda a, b: a >= b,  # type: ignore[operator]
}


def _call(func: str, args: list[Value]) -> Value:  # noqa: PLR0911 - one case per function
    match func:
        case "years_between":
            return years_between(args[0], args[1])  # type: ignore[arg-type]
        case "months_between":
            return months_between(args[0], args[1])  # type: ignore[arg-type]
        case "days_between":
            return (args[1] - args[0]).days  # type: ignore[operator, union-attr]
        case "year":
            return args[0].year  # type: ignore[union-attr]
        case "month":
            return args[0].month  # type: ignore[union-attr]
        case "day":
            return args[0].day  # type: ignore[union-attr]
        case "min":
            return min(args)
        case "max":
            return max(args)
    raise AssertionError(func)


@dataclass
class _Context:
    subject: Facts
    members: Sequence[Facts]
    params: Mapping[str, Value]
    today: date
    member: Facts | None = None


def _aggregate(node: ir.Aggregate, ctx: _Context) -> Value:  # noqa: PLR0911
    if node.expr is None:
        return len(ctx.members)
    values = []
    for member in ctx.members:
        ctx.member = member
        values.append(_eval(node.expr, ctx))
    ctx.member = None
    match node.func:
        case "count":
            return sum(1 for value in values if value)
        case "sum":
            return in_range(sum(values))  # type: ignore[arg-type]
        case "any":
            return any(values)
        case "all":
            return all(values)
        case "min":
            return min(values)
        case _:
            return max(values)


def _eval(node: ir.Node, ctx: _Context) -> Value:  # noqa: PLR0911, PLR0912 - one case per node
    match node:
        case ir.Literal(value=value):
            return value
        case ir.Column(column=column, scope=scope):
            row = ctx.member if scope is Scope.MEMBER and ctx.member is not None else ctx.subject
            return row[column]
        case ir.Derived(expr=expr):
            return _eval(expr, ctx)
        case ir.Param(path=path):
            return ctx.params[path]
        case ir.Today():
            return ctx.today
        case ir.Not(operand=operand):
            return not _eval(operand, ctx)
        case ir.Neg(operand=operand):
            return in_range(-_eval(operand, ctx))  # type: ignore[operator]
        case ir.Arith(op=op, left=left, right=right):
            return in_range(_ARITH[op](_eval(left, ctx), _eval(right, ctx)))  # type: ignore[arg-type]
        case ir.Compare(op=op, left=left, right=right):
            if ir.ratio_parts(left) is None and ir.ratio_parts(right) is None:
                return _COMPARE[op](_eval(left, ctx), _eval(right, ctx))
            a, b = cross_products(_terms(left, ctx), _terms(right, ctx))
            return _COMPARE[op](a, b)
        case ir.Ratio(numerator=numerator, denominator=denominator):
            n, d = ratio_terms(_eval(numerator, ctx), _eval(denominator, ctx))  # type: ignore[arg-type]
            return Fraction(n, d)  # type: ignore[return-value]
        case ir.BoolOp(op="and", operands=operands):
            return all(_eval(operand, ctx) for operand in operands)
        case ir.BoolOp(operands=operands):
            return any(_eval(operand, ctx) for operand in operands)
        case ir.If(test=test, then=then, orelse=orelse):
            return _eval(then, ctx) if _eval(test, ctx) else _eval(orelse, ctx)
        case ir.In(item=item, options=options, negated=negated):
            value = _eval(item, ctx)
            return (value in [_eval(option, ctx) for option in options]) != negated
        case ir.Call(func=func, args=args):
            return _call(func, [_eval(arg, ctx) for arg in args])
        case ir.Aggregate():
            return _aggregate(node, ctx)
    raise AssertionError(f"unknown node {node!r}")


def _terms(node: ir.Node, ctx: _Context) -> tuple[int, int]:
    """A side of a comparison as (numerator, positive denominator)."""
    parts = ir.ratio_parts(node)
    if parts is None:
        return _eval(node, ctx), 1  # type: ignore[return-value]
    return ratio_terms(_eval(parts[0], ctx), _eval(parts[1], ctx))  # type: ignore[arg-type]


def evaluate(node: ir.Node, subject: Subject, params: Mapping[str, Value], today: date) -> Value:
    """The value of `node` for `subject` on `today`."""
    return _eval(node, _Context(subject.facts, subject.members, params, today))


# -- explanation ------------------------------------------------------------------------------

_PHRASES: dict[str, dict[str, str]] = {
    "en": {
        "==": "{a} is {b}",
        "!=": "{a} is not {b}",
        "<": "{a} is less than {b}",
        "<=": "{a} is at most {b}",
        ">": "{a} is more than {b}",
        ">=": "{a} is at least {b}",
        "in": "{a} is one of {b}",
        "not in": "{a} is none of {b}",
        "and": "all of these hold",
        "or": "at least one of these holds",
        "not": "this must not hold",
        "if": "{choice} because",
        "then": "the first amount applies",
        "else": "the other amount applies",
        "equals": "{a} = {b}",
        "yes": "yes",
        "no": "no",
        "today": "today ({b})",
        "from": "from {b}",
        "count": "number of household members",
        "count_if": "household members for whom {b}",
        "sum": "total over household members of {b}",
        "any": "some household member: {b}",
        "all": "every household member: {b}",
        "min": "smallest over household members of {b}",
        "max": "largest over household members of {b}",
        "member": "household member",
    },
    "ko": {
        "==": "{a}: {b}",
        "!=": "{a}: {b} 아님",
        "<": "{a}: {b} 미만",
        "<=": "{a}: {b} 이하",
        ">": "{a}: {b} 초과",
        ">=": "{a}: {b} 이상",
        "in": "{a}: {b} 중 하나",
        "not in": "{a}: {b}에 해당하지 않음",
        "and": "다음을 모두 충족",
        "or": "다음 중 하나 이상 충족",
        "not": "다음에 해당하지 않아야 함",
        "if": "{choice} — 조건:",
        "then": "첫 번째 금액 적용",
        "else": "다른 금액 적용",
        "equals": "{a} = {b}",
        "yes": "예",
        "no": "아니오",
        "today": "오늘({b})",
        "from": "{b}부터",
        "count": "가구원 수",
        "count_if": "{b}인 가구원 수",
        "sum": "가구원 {b}의 합계",
        "any": "가구원 중 한 명 이상: {b}",
        "all": "가구원 모두: {b}",
        "min": "가구원 {b}의 최솟값",
        "max": "가구원 {b}의 최댓값",
        "member": "가구원",
    },
    "vi": {
        "==": "{a} là {b}",
        "!=": "{a} không phải {b}",
        "<": "{a} nhỏ hơn {b}",
        "<=": "{a} không quá {b}",
        ">": "{a} lớn hơn {b}",
        ">=": "{a} ít nhất {b}",
        "in": "{a} thuộc {b}",
        "not in": "{a} không thuộc {b}",
        "and": "tất cả các điều kiện sau đều đúng",
        "or": "ít nhất một điều kiện sau đúng",
        "not": "điều sau không được đúng",
        "if": "{choice} vì",
        "then": "áp dụng mức thứ nhất",
        "else": "áp dụng mức còn lại",
        "equals": "{a} = {b}",
        "yes": "có",
        "no": "không",
        "today": "hôm nay ({b})",
        "from": "từ {b}",
        "count": "số thành viên hộ",
        "count_if": "số thành viên hộ có {b}",
        "sum": "tổng của thành viên hộ: {b}",
        "any": "có thành viên hộ: {b}",
        "all": "mọi thành viên hộ: {b}",
        "min": "nhỏ nhất trong hộ: {b}",
        "max": "lớn nhất trong hộ: {b}",
        "member": "thành viên hộ",
    },
}
_INFIX = {"+": "+", "-": "-", "*": "x", "//": "÷", "%": "mod", "/": "/"}


@dataclass
class Step:
    """One line of an explanation: its sentence, the value, whether a condition held, and the
    steps it rests on."""

    text: str
    value: Value
    holds: bool | None = None
    children: list[Step] = field(default_factory=list)


@dataclass(frozen=True)
class FactUsed:
    label: str
    value: str
    source: str


@dataclass(frozen=True)
class ParamUsed:
    label: str
    value: str
    valid_from: date
    source_title: str
    source_url: str


@dataclass
class Explanation:
    """What a citizen reads under "why am I offered this / why not"."""

    service: Service
    day: date
    eligible: bool
    amount: int | None
    eligibility: Step
    calculation: Step | None
    facts: list[FactUsed]
    params: list[ParamUsed]
    #: The value of each expression the explanation evaluated (for the subject, on the day):
    #: sentences about the same result read them instead of evaluating the rule again
    #: (`gov3.catalogue.reasons.reasons_from`).
    values: Mapping[ir.Node, Value] = field(default_factory=dict)


class _Explainer:
    def __init__(
        self, pack: RulePack, subject: Subject, today: date, language: str, currency: str
    ) -> None:
        self.pack = pack
        self.subject = subject
        self.today = today
        self.language = language if language in _PHRASES else "en"
        self.phrases = _PHRASES[self.language]
        self.currency = currency
        self.params: dict[str, Value] = {}
        self.facts: dict[str, FactUsed] = {}
        self.params_used: dict[str, ParamUsed] = {}
        self.ctx = _Context(subject.facts, subject.members, self.params, today)
        self.values: dict[ir.Node, Value] = {}

    def value(self, node: ir.Node) -> Value:
        """`node`'s value for the subject, evaluated once however often the explanation
        shows it."""
        if node not in self.values:
            self.values[node] = _eval(node, self.ctx)
        return self.values[node]

    def label(self, labels: Mapping[str, str], fallback: str) -> str:
        return labels.get(self.language) or labels.get("en") or fallback

    def show(self, value: Value, kind: Type) -> str:
        if isinstance(value, Fraction):
            shown = ratio_text(value)
            return f"{shown} {self.currency}".rstrip() if kind is Type.MONEY else shown
        if isinstance(value, bool):
            return self.phrases["yes" if value else "no"]
        if kind is Type.MONEY and isinstance(value, int):
            return f"{value:,} {self.currency}".rstrip()
        if isinstance(value, date):
            return value.isoformat()
        if isinstance(value, int):
            return f"{value:,}"
        return str(value)

    def source_of(self, column: str) -> str:
        specific = self.subject.sources.get(column)
        if specific:
            return specific
        source = SOURCES[FACTS[column].source]
        return source.get(self.language) or source["en"]

    def note_param(self, path: str) -> None:
        if path in self.params_used:
            return
        parameter = self.pack.params[path]
        dated = parameter.at(self.today)
        self.params[path] = dated.value
        self.params_used[path] = ParamUsed(
            self.label(parameter.label, path),
            self.show(dated.value, parameter.type),
            dated.valid_from,
            dated.source_title,
            dated.source_url,
        )

    def columns_in(self, node: ir.Node) -> list[ir.Column]:
        return [n for n in ir.walk(node) if isinstance(n, ir.Column)]

    def variable_label(self, name: str) -> str:
        variable = self.pack.variables.get(name)
        return self.label(variable.label, name) if variable else name

    def describe(self, node: ir.Node) -> str:  # noqa: PLR0911, PLR0912 - one case per node
        """A short phrase for `node` with its value, e.g. "age 66 (population register, birth
        date 1959-03-02)"."""
        value = self.value(node)
        shown = self.show(value, node.type)
        match node:
            case ir.Literal():
                return shown
            case ir.Today():
                return self.phrases["today"].format(b=shown)
            case ir.Param(path=path):
                return f"{self.params_used[path].label} {shown}"
            case ir.Column(name=name, column=column, scope=scope):
                label = self.variable_label(name)
                if node.type is Type.BOOL:
                    label += ":"
                if scope is Scope.MEMBER:
                    return f"{label} {shown}"
                self.facts.setdefault(
                    name, FactUsed(self.variable_label(name), shown, self.source_of(column))
                )
                return f"{label} {shown} ({self.source_of(column)})"
            case ir.Derived(name=name, expr=expr, scope=scope):
                label = self.variable_label(name)
                if scope is Scope.MEMBER:
                    return f"{label} {shown}"
                basis = []
                household_wide = any(isinstance(n, ir.Aggregate) for n in ir.walk(expr))
                for column_node in self.columns_in(expr):
                    source = self.source_of(column_node.column)
                    if household_wide or column_node.scope is Scope.MEMBER:
                        basis.append(source)  # many people's facts: name the registers only
                        continue
                    fact = self.value(column_node)
                    column_label = self.variable_label(column_node.name)
                    fact_shown = self.show(fact, column_node.type)
                    self.facts.setdefault(
                        column_node.name, FactUsed(column_label, fact_shown, source)
                    )
                    basis.append(f"{source}, {column_label} {fact_shown}")
                unique = list(dict.fromkeys(basis))
                return f"{label} {shown}" + (f" ({'; '.join(unique)})" if unique else "")
            case ir.Aggregate(func=func, expr=expr):
                if expr is None:
                    phrase = self.phrases["count"]
                elif func == "count":
                    phrase = self.phrases["count_if"].format(b=self.formula(expr))
                else:
                    phrase = self.phrases[func].format(b=self.formula(expr))
                return f"{phrase}: {shown}"
        return f"{self.formula(node)} = {shown}"

    def formula(self, node: ir.Node) -> str:  # noqa: PLR0911, PLR0912 - one case per node
        """The expression written with labels instead of names (no values)."""
        match node:
            case ir.Literal(value=value):
                return self.show(value, node.type)
            case ir.Column(name=name) | ir.Derived(name=name):
                return self.variable_label(name)
            case ir.Param(path=path):
                return self.label(self.pack.params[path].label, path)
            case ir.Today():
                return self.phrases["today"].format(b=self.today.isoformat())
            case ir.Not(operand=operand):
                return f"not ({self.formula(operand)})"
            case ir.Neg(operand=operand):
                return f"-{self.formula(operand)}"
            case ir.Arith(op=op, left=left, right=right):
                return f"({self.formula(left)} {_INFIX[op]} {self.formula(right)})"
            case ir.Ratio(numerator=numerator, denominator=denominator):
                return f"({self.formula(numerator)} / {self.formula(denominator)})"
            case ir.Compare(op=op, left=left, right=right):
                return f"{self.formula(left)} {op} {self.formula(right)}"
            case ir.BoolOp(op=op, operands=operands):
                return f" {op} ".join(self.nested(operand) for operand in operands)
            case ir.If(test=test, then=then, orelse=orelse):
                return f"{self.nested(then)} if {self.nested(test)} else {self.nested(orelse)}"
            case ir.In(item=item, options=options, negated=negated):
                shown = ", ".join(self.formula(option) for option in options)
                return f"{self.formula(item)} {'not in' if negated else 'in'} ({shown})"
            case ir.Call(func=func, args=args):
                return f"{func}({', '.join(self.formula(arg) for arg in args)})"
            case ir.Aggregate(func=func, expr=expr):
                inner = "" if expr is None else f", {self.formula(expr)}"
                return f"{func}({self.phrases['member']}{inner})"
        return "?"

    def nested(self, node: ir.Node) -> str:
        """`formula`, bracketed where it would read ambiguously inside another expression."""
        text = self.formula(node)
        return f"({text})" if isinstance(node, ir.BoolOp | ir.If) else text

    def step(self, node: ir.Node) -> Step:  # noqa: PLR0911 - one case per node
        value = self.value(node)
        match node:
            case ir.BoolOp(op=op, operands=operands):
                return Step(self.phrases[op], value, bool(value), [self.step(o) for o in operands])
            case ir.Not(operand=operand):
                return Step(self.phrases["not"], value, bool(value), [self.step(operand)])
            case ir.Compare(op=op, left=left, right=right):
                text = self.phrases[op].format(a=self.describe(left), b=self.describe(right))
                return Step(text, value, bool(value))
            case ir.In(item=item, options=options, negated=negated):
                shown = ", ".join(self.describe(option) for option in options)
                text = self.phrases["not in" if negated else "in"].format(
                    a=self.describe(item), b=shown
                )
                return Step(text, value, bool(value))
            case ir.If(test=test, then=then, orelse=orelse):
                chosen = self.value(test)
                branch = then if chosen else orelse
                choice = self.phrases["then" if chosen else "else"]
                text = self.phrases["if"].format(choice=choice)
                test_step = self.step(test)
                inner = self.step(branch)
                return Step(
                    f"{inner.text} — {text}",
                    value,
                    bool(value) if node.type is Type.BOOL else None,
                    [test_step, *inner.children],
                )
            case ir.Derived(expr=expr) if node.type is Type.BOOL:
                inner = self.step(expr)
                return Step(self.describe(node), value, bool(value), [inner])
        holds = bool(value) if node.type is Type.BOOL else None
        children = [
            self.step(child)
            for child in ir.children(node)
            if isinstance(child, ir.Arith | ir.Ratio | ir.If | ir.Call | ir.Aggregate)
        ]
        return Step(self.describe(node), value, holds, children)

    def note_facts(self, node: ir.Node | None) -> None:
        """List every fact of the subject's own that `node` reads (also those inside a
        function, e.g. ``year(last_influenza_vaccination)``), with its register."""
        if node is None:
            return
        for column in self.columns_in(node):
            if column.scope is Scope.SUBJECT and column.name not in self.facts:
                shown = self.show(self.value(column), column.type)
                self.facts[column.name] = FactUsed(
                    self.variable_label(column.name), shown, self.source_of(column.column)
                )

    def run(self, service: Service) -> Explanation:
        for path in sorted(service.params_used()):
            self.note_param(path)
        eligibility = self.step(service.eligible)
        eligible = bool(eligibility.value)
        calculation = None
        amount = None
        if service.amount is not None:
            amount_value = self.value(service.amount) if eligible else 0
            amount = int(amount_value)  # type: ignore[arg-type]
            if eligible:
                calculation = self.step(service.amount)
        self.note_facts(service.eligible)
        if calculation is not None:
            self.note_facts(service.amount)
        return Explanation(
            service,
            self.today,
            eligible,
            amount,
            eligibility,
            calculation,
            list(self.facts.values()),
            list(self.params_used.values()),
            self.values,
        )


def explain_service(
    pack: RulePack,
    service: Service,
    subject: Subject,
    today: date,
    *,
    language: str = "en",
    currency: str = "",
) -> Explanation:
    """Whether `subject` qualifies for `service` on `today`, the amount, and why."""
    return _Explainer(pack, subject, today, language, currency).run(service)


def evaluate_service(
    pack: RulePack, service: Service, subject: Subject, today: date
) -> tuple[bool, int | None]:
    """Eligibility and amount (0 when not eligible; None for services without an amount)."""
    params = pack.params_on(service, today)
    eligible = bool(evaluate(service.eligible, subject, params, today))
    if service.amount is None:
        return eligible, None
    if not eligible:
        return False, 0
    return True, int(evaluate(service.amount, subject, params, today))  # type: ignore[arg-type]


def rule_in_words(pack: RulePack, node: ir.Node, language: str, today: date) -> str:
    """A rule written with the pack's labels instead of names, e.g. for the catalogue page:
    "age >= pension age and household income <= income limit"."""
    return _Explainer(pack, Subject({}, []), today, language, "").formula(node)
