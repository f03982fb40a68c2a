"""Why, in sentences: a service's rule, and one person's result, as a citizen reads them.

The rules engine (`gov3.rules.explain`) evaluates a rule and traces it; this module only
presents. It walks the same checked tree and writes each condition as a sentence in the
reader's language — "Your age is 41; it must be at least 65 (minimum age)." — with the values
the rule saw, and the amount as a calculation with numbers. The wording comes from the
translation catalogues, so translators own it. The rule as written (with `if … else`, `//` and
the other operators) stays available behind a "show the rule as written" toggle for experts.

Without a person (the service page) the same walk writes what the rule asks for: "age: at least
65 (minimum age)".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date

from django.utils.translation import get_language, gettext, pgettext

from gov3.catalogue.sources import value_text
from gov3.rules import ir
from gov3.rules.explain import Explanation, evaluate
from gov3.rules.facts import Subject
from gov3.rules.ir import Type, Value
from gov3.rules.pack import RulePack, Service

#: The comparison that holds when `op` does not (for a condition under `not`).
_NEGATED = {"<": ">=", "<=": ">", ">": "<=", ">=": "<", "==": "!=", "!=": "=="}
#: `a op b` written the other way round (`65 <= age` is `age >= 65`).
_MIRRORED = {"<": ">", "<=": ">=", ">": "<", ">=": "<=", "==": "==", "!=": "!="}
#: Arithmetic as printed for people: minus, times and division signs.
_SYMBOLS = {"+": "+", "-": "\u2212", "*": "\u00d7", "//": "\u00f7", "/": "\u00f7"}


@dataclass(frozen=True)
class Reason:
    """One sentence of an explanation; `holds` is whether the condition is met (None for a
    statement), `children` the conditions it groups."""

    text: str
    holds: bool | None = None
    children: tuple[Reason, ...] = ()


@dataclass(frozen=True)
class Reasons:
    """An explanation in sentences: who qualifies and how the amount is reached."""

    eligibility: tuple[Reason, ...]
    amount: tuple[Reason, ...] = field(default_factory=tuple)


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:] if text else text


def _person_side(node: ir.Node) -> bool:
    """Whether `node` reads the person's facts (or the date), rather than only parameters."""
    return any(
        isinstance(n, ir.Column | ir.Derived | ir.Aggregate | ir.Today) for n in ir.walk(node)
    )


class _Writer:
    """Writes sentences for one service on one day, for one person or for nobody."""

    def __init__(
        self,
        pack: RulePack,
        service: Service,
        day: date,
        *,
        subject: Subject | None,
        currency: str,
        subject_name: str | None,
        known: Mapping[ir.Node, Value] | None = None,
    ) -> None:
        self.pack = pack
        self.day = day
        self.subject = subject
        self.currency = currency
        self.subject_name = subject_name
        self.language = (get_language() or "en").split("-")[0]
        self.params: Mapping[str, Value] = pack.params_on(service, day)
        #: Values already evaluated for the subject (an explanation's), each node once.
        self.known: dict[ir.Node, Value] = dict(known or {})

    # -- values and names ------------------------------------------------------------------

    def value(self, node: ir.Node) -> Value:
        if self.subject is None:
            raise ValueError("no person to evaluate for")
        if node not in self.known:
            self.known[node] = evaluate(node, self.subject, self.params, self.day)
        return self.known[node]

    def show(self, value: Value, kind: Type) -> str:
        return value_text(value, kind, self.currency)

    def label(self, labels: Mapping[str, str], fallback: str) -> str:
        return labels.get(self.language) or labels.get("en") or fallback

    def variable(self, name: str) -> str:
        variable = self.pack.variables.get(name)
        return self.label(variable.label, name) if variable is not None else name

    def param_label(self, path: str) -> str:
        return self.label(self.pack.params[path].label, path)

    def term(self, node: ir.Node) -> str:  # noqa: PLR0911, PLR0912 - one case per node
        """A noun phrase naming what `node` stands for, in words (no values)."""
        match node:
            case ir.Column(name=name) | ir.Derived(name=name):
                return self.variable(name)
            case ir.Param(path=path):
                return self.param_label(path)
            case ir.Literal(value=value):
                return self.show(value, node.type)
            case ir.Today():
                return pgettext("rule term", "today")
            case ir.Neg(operand=operand):
                return f"\u2212{self.term(operand)}"
            case ir.Arith(op="%", left=left, right=right):
                return pgettext("rule term", "the remainder of %(a)s divided by %(b)s") % {
                    "a": self.term(left),
                    "b": self.term(right),
                }
            case ir.Arith(op=op, left=left, right=right):
                return _infix(op, left, right, self.term)
            case ir.Ratio(numerator=numerator, denominator=denominator):
                return _infix("/", numerator, denominator, self.term)
            case ir.If(test=test, then=then, orelse=orelse):
                if self.subject is not None:
                    return self.term(then if self.value(test) else orelse)
                choices = []
                branch: ir.Node = node
                while isinstance(branch, ir.If):
                    choices.append(self.term(branch.then))
                    branch = branch.orelse
                choices.append(self.term(branch))
                return pgettext("rule term", "one of %(list)s, depending on the case") % {
                    "list": "; ".join(choices)
                }
            case ir.Call(func=func, args=args):
                return self.call_term(func, args)
            case ir.Aggregate(func=func, expr=expr):
                return self.aggregate_term(func, expr)
        return self.term_fallback(node)

    def term_fallback(self, node: ir.Node) -> str:
        return pgettext("rule term", "a value the rule computes")

    def call_term(self, func: str, args: tuple[ir.Node, ...]) -> str:
        first = args[0] if args else None
        today_first = isinstance(first, ir.Today)
        if func in ("year", "month", "day") and today_first:
            return {
                "year": pgettext("rule term", "the current year"),
                "month": pgettext("rule term", "the current month"),
                "day": pgettext("rule term", "today's day of the month"),
            }[func]
        if func in ("year", "month", "day") and first is not None:
            template = {
                "year": pgettext("rule term", "the year of %(x)s"),
                "month": pgettext("rule term", "the month of %(x)s"),
                "day": pgettext("rule term", "the day of %(x)s"),
            }[func]
            return template % {"x": self.term(first)}
        if func in ("years_between", "months_between", "days_between") and len(args) == 2:
            since, until = args
            if isinstance(since, ir.Today):
                template = {
                    "years_between": pgettext("rule term", "years until %(x)s"),
                    "months_between": pgettext("rule term", "months until %(x)s"),
                    "days_between": pgettext("rule term", "days until %(x)s"),
                }[func]
                return template % {"x": self.term(until)}
            template = {
                "years_between": pgettext("rule term", "years since %(x)s"),
                "months_between": pgettext("rule term", "months since %(x)s"),
                "days_between": pgettext("rule term", "days since %(x)s"),
            }[func]
            return template % {"x": self.term(since)}
        if func in ("min", "max"):
            template = (
                pgettext("rule term", "the smaller of %(list)s")
                if func == "min"
                else pgettext("rule term", "the larger of %(list)s")
            )
            return template % {"list": ", ".join(self.term(arg) for arg in args)}
        return self.term_fallback(ir.Call(Type.INT, ir.Pos(0, 0), func, args))

    def aggregate_term(self, func: str, expr: ir.Node | None) -> str:
        if expr is None:
            return pgettext("rule term", "the number of people in the household")
        inner = self.requirement_text(expr) if expr.type is Type.BOOL else self.term(expr)
        template = {
            "count": pgettext("rule term", "the number of household members with %(x)s"),
            "sum": pgettext("rule term", "the household's total of %(x)s"),
            "any": pgettext("rule term", "some household member with %(x)s"),
            "all": pgettext("rule term", "every household member with %(x)s"),
            "min": pgettext("rule term", "the smallest %(x)s in the household"),
            "max": pgettext("rule term", "the largest %(x)s in the household"),
        }[func]
        return template % {"x": inner}

    def personal(self, node: ir.Node) -> bool:
        """Whether `node` is one of the person's own facts (not the household's)."""
        if isinstance(node, ir.Column):
            return True
        if isinstance(node, ir.Derived):
            variable = self.pack.variables.get(node.name)
            return variable is not None and not variable.has_aggregate
        return False

    def whose(self, fact: str) -> str:
        """`fact` as the person's: "your age", "Minji's age in months"."""
        if self.subject_name is None:
            return pgettext("whose fact", "your %(fact)s") % {"fact": fact}
        return pgettext("whose fact", "%(name)s's %(fact)s") % {
            "name": self.subject_name,
            "fact": fact,
        }

    # -- conditions ------------------------------------------------------------------------

    def limit_text(self, node: ir.Node) -> str:
        """The other side of a comparison: its value, and what it is when it is not a
        constant written in the rule ("65 (minimum age)")."""
        if isinstance(node, ir.Literal):
            return self.show(node.value, node.type)
        if self.subject is None and _person_side(node) and not isinstance(node, ir.Today):
            return self.term(node)
        value = (
            self.value(node)
            if self.subject is not None
            else evaluate(node, _NOBODY, self.params, self.day)
        )
        return pgettext("limit", "%(value)s (%(what)s)") % {
            "value": self.show(value, node.type),
            "what": self.term(node),
        }

    def comparison(self, op: str, person: ir.Node, other: ir.Node) -> tuple[str, str]:
        """(the sentence with the person's value, the requirement without it)."""
        if (
            op in ("==", "!=")
            and isinstance(person, ir.Arith)
            and person.op == "%"
            and isinstance(other, ir.Literal)
            and other.value == 0
        ):
            return self.multiple(op, person.left, person.right)
        limit = self.limit_text(other)
        what = self.term(person)
        direct = self.personal(person)
        with_value = {
            ">=": pgettext("condition", "%(what)s is %(value)s; it must be at least %(limit)s."),
            ">": pgettext("condition", "%(what)s is %(value)s; it must be more than %(limit)s."),
            "<=": pgettext("condition", "%(what)s is %(value)s; it may be at most %(limit)s."),
            "<": pgettext("condition", "%(what)s is %(value)s; it must be less than %(limit)s."),
            "==": pgettext("condition", "%(what)s is %(value)s; it must be %(limit)s."),
            "!=": pgettext("condition", "%(what)s is %(value)s; it must not be %(limit)s."),
        }[op]
        requirement = {
            ">=": pgettext("requirement", "%(what)s: at least %(limit)s"),
            ">": pgettext("requirement", "%(what)s: more than %(limit)s"),
            "<=": pgettext("requirement", "%(what)s: at most %(limit)s"),
            "<": pgettext("requirement", "%(what)s: less than %(limit)s"),
            "==": pgettext("requirement", "%(what)s: %(limit)s"),
            "!=": pgettext("requirement", "%(what)s: not %(limit)s"),
        }[op]
        needed = _capitalised(requirement % {"what": what, "limit": limit})
        if self.subject is None:
            return needed, needed
        sentence = with_value % {
            "what": self.whose(what) if direct else what,
            "value": self.show_node(person),
            "limit": limit,
        }
        return _capitalised(sentence), needed

    def multiple(self, op: str, number: ir.Node, divisor: ir.Node) -> tuple[str, str]:
        what = self.term(number)
        limit = self.limit_text(divisor)
        if op == "==":
            with_value = pgettext(
                "condition", "%(what)s is %(value)s; it must be a multiple of %(limit)s."
            )
            requirement = pgettext("requirement", "%(what)s: a multiple of %(limit)s")
        else:
            with_value = pgettext(
                "condition", "%(what)s is %(value)s; it must not be a multiple of %(limit)s."
            )
            requirement = pgettext("requirement", "%(what)s: not a multiple of %(limit)s")
        needed = _capitalised(requirement % {"what": what, "limit": limit})
        if self.subject is None:
            return needed, needed
        who = self.whose(what) if self.personal(number) else what
        sentence = with_value % {"what": who, "value": self.show_node(number), "limit": limit}
        return _capitalised(sentence), needed

    def show_node(self, node: ir.Node) -> str:
        return self.show(self.value(node), node.type)

    def flag(self, node: ir.Node, needed: bool) -> Reason:
        """A yes/no fact: "Korean national: yes (required: yes)."."""
        fact = _capitalised(self.term(node))
        required = pgettext("answer", "yes") if needed else pgettext("answer", "no")
        if self.subject is None:
            return Reason(
                pgettext("requirement", "%(fact)s: %(required)s")
                % {"fact": fact, "required": required}
            )
        value = bool(self.value(node))
        text = pgettext("condition", "%(fact)s: %(value)s (required: %(required)s).") % {
            "fact": fact,
            "value": pgettext("answer", "yes") if value else pgettext("answer", "no"),
            "required": required,
        }
        return Reason(text, value == needed)

    def requirement_text(self, node: ir.Node) -> str:
        """A condition as a short phrase without values (inside a household count)."""
        saved, self.subject = self.subject, None
        try:
            reasons = self.conditions(node)
        finally:
            self.subject = saved
        return "; ".join(r.text for r in reasons)

    def conditions(self, node: ir.Node, *, negated: bool = False) -> list[Reason]:  # noqa: PLR0911
        """The sentences for a yes/no node; `and` at the top is a list of conditions."""
        holds = None if self.subject is None else bool(self.value(node)) != negated
        match node:
            case ir.BoolOp(op=op, operands=operands) if (op == "and") != negated:
                return [r for o in operands for r in self.conditions(o, negated=negated)]
            case ir.BoolOp(operands=operands):
                lead = pgettext("condition group", "At least one of these:")
                return [
                    Reason(
                        lead,
                        holds,
                        tuple(self.group(o, negated=negated) for o in operands),
                    )
                ]
            case ir.Not(operand=operand):
                return self.conditions(operand, negated=not negated)
            case ir.Column() | ir.Derived() if node.type is Type.BOOL:
                return [self.flag(node, not negated)]
            case ir.Compare(op=op, left=left, right=right):
                op = _NEGATED[op] if negated else op
                if not _person_side(left) and _person_side(right):
                    op, left, right = _MIRRORED[op], right, left
                sentence, _needed = self.comparison(op, left, right)
                return [Reason(sentence, holds)]
            case ir.In(item=item, options=options, negated=not_in):
                excluded = not_in != negated
                limit = ", ".join(self.limit_text(o) for o in options)
                what = self.term(item)
                if self.subject is None:
                    template = (
                        pgettext("requirement", "%(what)s: none of %(limit)s")
                        if excluded
                        else pgettext("requirement", "%(what)s: one of %(limit)s")
                    )
                    return [Reason(_capitalised(template % {"what": what, "limit": limit}))]
                template = (
                    pgettext("condition", "%(what)s is %(value)s; it must not be any of %(limit)s.")
                    if excluded
                    else pgettext(
                        "condition", "%(what)s is %(value)s; it must be one of %(limit)s."
                    )
                )
                who = self.whose(what) if self.personal(item) else what
                text = template % {"what": who, "value": self.show_node(item), "limit": limit}
                return [Reason(_capitalised(text), holds)]
            case ir.If(test=test, then=then, orelse=orelse):
                if self.subject is None:
                    return [Reason(self.term_fallback(node))]
                branch = then if self.value(test) else orelse
                return self.conditions(branch, negated=negated)
            case ir.Literal(value=value):
                return [
                    Reason(
                        gettext("Always met.") if bool(value) != negated else gettext("Never met."),
                        holds,
                    )
                ]
        text = pgettext("condition", "A further condition of the rule.")
        return [Reason(text, holds)]

    def group(self, node: ir.Node, *, negated: bool) -> Reason:
        """One alternative of an `or`: a single condition, or "all of these"."""
        reasons = self.conditions(node, negated=negated)
        if len(reasons) == 1:
            return reasons[0]
        holds = None if self.subject is None else bool(self.value(node)) != negated
        return Reason(pgettext("condition group", "All of these:"), holds, tuple(reasons))

    # -- the amount ------------------------------------------------------------------------

    def calculation(self, node: ir.Node) -> str:
        """An amount in words and numbers: "349,700 KRW (full monthly amount) minus …"."""
        text = self.figures(node)
        if any(isinstance(n, ir.Arith) and n.op == "//" for n in ir.walk(node)):
            text = pgettext("calculation", "%(x)s (divisions rounded down)") % {"x": text}
        return text

    def figures(self, node: ir.Node) -> str:
        match node:
            case ir.Param(path=path):
                return pgettext("limit", "%(value)s (%(what)s)") % {
                    "value": self.show(self.params[path], node.type),
                    "what": self.param_label(path),
                }
            case ir.Literal(value=value):
                return self.show(value, node.type)
            case ir.Arith(op=op, left=left, right=right) if op in _SYMBOLS:
                return _infix(op, left, right, self.figures)
            case ir.If(test=test, then=then, orelse=orelse) if self.subject is not None:
                return self.figures(then if self.value(test) else orelse)
        if self.subject is None:
            return self.term(node)
        return pgettext("limit", "%(value)s (%(what)s)") % {
            "value": self.show_node(node),
            "what": self.term(node),
        }

    def amount(self, node: ir.Node) -> list[Reason]:
        """How the amount is reached, for one person; or the amounts the rule pays."""
        if isinstance(node, ir.If):
            return self.amount_choice(node)
        if self.subject is None:
            return [
                Reason(
                    pgettext("amount", "The amount is %(calculation)s.")
                    % {"calculation": self.calculation(node)}
                )
            ]
        total = self.show_node(node)
        if isinstance(node, ir.Param | ir.Literal):
            text = pgettext("amount", "The amount is %(calculation)s.") % {
                "calculation": self.calculation(node)
            }
        else:
            text = pgettext("amount", "The amount is %(total)s: %(calculation)s.") % {
                "total": total,
                "calculation": self.calculation(node),
            }
        return [Reason(text)]

    def amount_choice(self, node: ir.If) -> list[Reason]:
        if self.subject is None:
            when = Reason(
                pgettext("amount", "%(calculation)s when all of these hold:")
                % {"calculation": _capitalised(self.calculation(node.then))},
                None,
                tuple(self.conditions(node.test)),
            )
            otherwise = self.amount(node.orelse)
            lead = Reason(pgettext("amount", "Otherwise:"), None, tuple(otherwise))
            return [when, lead]
        chosen = bool(self.value(node.test))
        branch = node.then if chosen else node.orelse
        result = self.amount(branch)
        why = (
            pgettext("amount", "This amount applies because all of these hold:")
            if chosen
            else pgettext("amount", "This amount applies because not all of these hold:")
        )
        return [*result, Reason(why, None, tuple(self.conditions(node.test)))]


#: Evaluating a side of a comparison that reads only parameters needs no person.
_NOBODY = Subject({}, [])
_PRECEDENCE = {"+": 1, "-": 1, "*": 2, "//": 2, "/": 2, "%": 2}


def _infix(op: str, left: ir.Node, right: ir.Node, write: Callable[[ir.Node], str]) -> str:
    """`left op right`, bracketing a side that would otherwise be read the wrong way."""

    def side(node: ir.Node, *, right_side: bool) -> str:
        text = write(node)
        if isinstance(node, ir.Arith) and node.op != "%":
            inner, outer = _PRECEDENCE[node.op], _PRECEDENCE[op]
            if inner < outer or (right_side and inner == outer and op in ("-", "//", "/")):
                return f"({text})"
        return text

    return f"{side(left, right_side=False)} {_SYMBOLS.get(op, op)} {side(right, right_side=True)}"


def _writer(
    pack: RulePack,
    service: Service,
    day: date,
    *,
    subject: Subject | None,
    currency: str,
    subject_name: str | None,
    known: Mapping[ir.Node, Value] | None = None,
) -> _Writer:
    return _Writer(
        pack,
        service,
        day,
        subject=subject,
        currency=currency,
        subject_name=subject_name,
        known=known,
    )


def reasons_for(
    pack: RulePack,
    service: Service,
    subject: Subject,
    day: date,
    *,
    currency: str,
    subject_name: str | None = None,
) -> Reasons:
    """One person's result as sentences in the active language. `subject_name` is the name of
    the person the result is about when the reader acts for them (a child); None when the
    reader is that person."""
    writer = _writer(
        pack, service, day, subject=subject, currency=currency, subject_name=subject_name
    )
    return _result(writer, service)


def reasons_from(
    explanation: Explanation,
    pack: RulePack,
    subject: Subject,
    *,
    currency: str,
    subject_name: str | None = None,
) -> Reasons:
    """`reasons_for` the subject that `explanation` (`explain_service`) was made for, written
    from the values it already evaluated instead of evaluating the rule again."""
    writer = _writer(
        pack,
        explanation.service,
        explanation.day,
        subject=subject,
        currency=currency,
        subject_name=subject_name,
        known=explanation.values,
    )
    return _result(writer, explanation.service)


def _result(writer: _Writer, service: Service) -> Reasons:
    """One person's result: the conditions, and how the amount is reached if they qualify."""
    eligibility = writer.conditions(service.eligible)
    eligible = bool(writer.value(service.eligible))
    amount = writer.amount(service.amount) if service.amount is not None and eligible else []
    return Reasons(tuple(eligibility), tuple(amount))


def requirements(pack: RulePack, service: Service, day: date, *, currency: str) -> Reasons:
    """What the rule asks for and what it pays, with the amounts and limits in force on
    `day`, as sentences in the active language (no person)."""
    writer = _writer(pack, service, day, subject=None, currency=currency, subject_name=None)
    eligibility = writer.conditions(service.eligible)
    amount = writer.amount(service.amount) if service.amount is not None else []
    return Reasons(tuple(eligibility), tuple(amount))
