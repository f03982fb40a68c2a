"""Load a country's rules: ``variables.yaml``, ``parameters/*.yaml`` and ``services/*.yaml``.

Every file is read with its line numbers (PyYAML's composer), every expression is checked
(`rules.expressions`), every scenario test is read with typed facts. All problems of all files
are collected; if there is any, `load_rules` raises `RulesError` and nothing is returned, so a
pack is never half-loaded. The format is in docs/rules.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import yaml

from gov3.rules import declarations, ir
from gov3.rules.errors import RuleProblem, RulesError
from gov3.rules.expressions import Variable, Where, compile_expression
from gov3.rules.facts import FACTS, complete
from gov3.rules.ir import Type, Value
from gov3.rules.params import SOURCE_STATUSES, DatedValue, Parameter, Parameters

#: libyaml's parser when PyYAML was built with it (ten times faster; the same nodes and
#: line numbers), else the pure-Python one.
SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

LANGUAGES = ("en", "ko", "vi")
#: What a service gives, in the order the catalogue lists them: a `benefit` pays an amount; an
#: `eligibility` service answers only yes or no (an entitlement, e.g. free travel) and pays
#: nothing; a `document` is issued; a `reminder` tells of something due (ADR 0008).
KINDS = ("benefit", "eligibility", "document", "reminder")
#: Documents gov3.documents can issue.
DOCUMENTS = ("passport", "resident_registration", "family_relations")
#: What an applicant can be asked to provide before a case is decided.
PROVIDES = ("photo",)
SUBJECTS = ("person", "household")
RECIPIENTS = ("person", "guardian")
SWEEPS = ("none", "daily", "monthly", "yearly")
PERIODS = ("once", "monthly", "yearly", "on_request")
LIFE_EVENTS = (
    "registration",
    "birth",
    "death",
    "marriage",
    "divorce",
    "move",
    "name_change",
    "disability_registration",
    "income_assessment",
    "passport_issued",
    "passport_cancelled",
)
_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*$")


@dataclass(frozen=True)
class LegalBasis:
    title: Mapping[str, str]
    url: str


@dataclass(frozen=True)
class Scenario:
    """A scenario test: facts on a date → the expected result."""

    name: str
    day: date
    person: Mapping[str, Value]
    household: tuple[Mapping[str, Value], ...]
    eligible: bool
    amount: int | None
    line: int


@dataclass(frozen=True)
class Service:
    """One service of the catalogue, checked."""

    id: str
    version: str
    name: Mapping[str, str]
    summary: Mapping[str, str]
    agency: Mapping[str, str]
    kind: str
    legal_basis: tuple[LegalBasis, ...]
    subject: str
    recipient: str
    life_events: tuple[str, ...]
    sweep: str
    period: str
    eligible: ir.Node
    eligible_text: str
    amount: ir.Node | None
    amount_text: str | None
    deadline_days: int
    auto_approve: bool
    tests: tuple[Scenario, ...]
    file: str
    #: A registry fact (date or text) whose value makes a new period: offered once per value,
    #: e.g. `passport_expiry` (once per passport to renew). None: by `period`.
    once_per: str | None = None
    #: The document a `document` service issues (gov3.documents), e.g. `passport`.
    issues: str | None = None
    #: A money parameter: the fee the applicant pays before the case is decided.
    fee: str | None = None
    #: What the applicant provides before the case is decided, e.g. `photo`.
    applicant_provides: tuple[str, ...] = ()

    def params_used(self) -> set[str]:
        used = ir.params_used(self.eligible)
        if self.amount is not None:
            used |= ir.params_used(self.amount)
        return used


@dataclass(frozen=True)
class RulePack:
    """A country's variables, parameters and services."""

    country: str
    variables: Mapping[str, Variable]
    params: Parameters
    services: Mapping[str, Service]

    def params_on(self, service: Service, day: date) -> dict[str, Value]:
        return self.params.on(day, sorted(service.params_used()))


class _Files:
    """Reads YAML with positions and collects problems."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[RuleProblem] = []
        self.file = ""

    def open(self, path: Path) -> yaml.Node | None:
        self.file = str(
            path.relative_to(self.root.parent) if path.is_relative_to(self.root.parent) else path
        )
        try:
            with path.open(encoding="utf-8") as handle:
                node = yaml.compose(handle, Loader=SAFE_LOADER)
        except yaml.MarkedYAMLError as error:
            mark = error.problem_mark
            self.problems.append(
                RuleProblem(
                    self.file,
                    mark.line + 1 if mark else None,
                    mark.column + 1 if mark else None,
                    f"not valid YAML: {error.problem}",
                )
            )
            return None
        except (OSError, UnicodeDecodeError) as error:
            self.problems.append(RuleProblem(self.file, None, None, f"cannot read: {error}"))
            return None
        if node is None:
            self.problems.append(RuleProblem(self.file, 1, 1, "the file is empty"))
        return node

    def problem(self, node: yaml.Node | None, message: str) -> None:
        mark = node.start_mark if node is not None else None
        self.problems.append(
            RuleProblem(
                self.file,
                mark.line + 1 if mark else None,
                mark.column + 1 if mark else None,
                message,
            )
        )

    def mapping(self, node: yaml.Node | None, what: str) -> dict[str, yaml.Node] | None:
        if not isinstance(node, yaml.MappingNode):
            self.problem(node, f"{what} must be a mapping of names to values")
            return None
        found: dict[str, yaml.Node] = {}
        for key, value in node.value:
            if not isinstance(key, yaml.ScalarNode):
                self.problem(key, f"{what}: keys must be plain names")
                continue
            if key.value in found:
                self.problem(key, f"{what}: `{key.value}` is given twice")
            found[key.value] = value
        return found

    def keys(
        self,
        node: yaml.Node,
        fields: dict[str, yaml.Node],
        required: tuple[str, ...],
        optional: tuple[str, ...],
        what: str,
    ) -> bool:
        ok = True
        for name in required:
            if name not in fields:
                self.problem(node, f"{what}: `{name}` is missing")
                ok = False
        for name, value in fields.items():
            if name not in required and name not in optional:
                valid = ", ".join((*required, *optional))
                self.problem(value, f"{what}: unknown field `{name}` (valid: {valid})")
        return ok

    def text(self, node: yaml.Node | None, what: str) -> str | None:
        if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
            self.problem(node, f"{what} must be a non-empty text")
            return None
        return str(node.value)

    def choice(self, node: yaml.Node | None, choices: tuple[str, ...], what: str) -> str | None:
        value = self.text(node, what)
        if value is not None and value not in choices:
            self.problem(node, f"{what} must be one of {', '.join(choices)} (found `{value}`)")
            return None
        return value

    def labels(self, node: yaml.Node | None, what: str) -> dict[str, str] | None:
        fields = self.mapping(node, what)
        if fields is None:
            return None
        missing = [lang for lang in LANGUAGES if lang not in fields]
        if missing:
            self.problem(
                node, f"{what} needs a text in each language; missing {', '.join(missing)}"
            )
            return None
        labels = {lang: self.text(value, f"{what} ({lang})") for lang, value in fields.items()}
        if any(value is None for value in labels.values()):
            return None
        return {lang: value for lang, value in labels.items() if value is not None}

    def integer(self, node: yaml.Node | None, what: str, minimum: int | None = None) -> int | None:
        text = self.text(node, what)
        if text is None:
            return None
        try:
            value = int(text.replace("_", ""))
        except ValueError:
            self.problem(node, f"{what} must be a whole number (found `{text}`)")
            return None
        if minimum is not None and value < minimum:
            self.problem(node, f"{what} must be at least {minimum}")
            return None
        return value

    def boolean(self, node: yaml.Node | None, what: str) -> bool | None:
        text = self.text(node, what)
        if text is None:
            return None
        if text.lower() in ("true", "yes"):
            return True
        if text.lower() in ("false", "no"):
            return False
        self.problem(node, f"{what} must be true or false (found `{text}`)")
        return None

    def day(self, node: yaml.Node | None, what: str) -> date | None:
        text = self.text(node, what)
        if text is None:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            self.problem(node, f"{what} must be a date written YYYY-MM-DD (found `{text}`)")
            return None

    def typed(self, node: yaml.Node | None, kind: Type, what: str) -> Value | None:
        if kind is Type.DATE:
            return self.day(node, what)
        if kind in (Type.INT, Type.MONEY):
            return self.integer(node, what)
        if kind is Type.BOOL:
            return self.boolean(node, what)
        if not isinstance(node, yaml.ScalarNode):
            self.problem(node, f"{what} must be a text")
            return None
        return str(node.value)

    def where(self, node: yaml.Node) -> Where:
        mark = node.start_mark
        line, column = mark.line + 1, mark.column + 1
        style = getattr(node, "style", None)
        if style in ("'", '"'):
            column += 1
        elif style in ("|", ">"):
            line, column = line + 1, 1
        return Where(self.file, line, column)


def _expression(  # noqa: PLR0917
    files: _Files,
    node: yaml.Node | None,
    variables: Mapping[str, Variable],
    params: Mapping[str, Type],
    expect: Type | None,
    what: str,
    *,
    ratio: bool = False,
) -> ir.Node | None:
    text = files.text(node, what)
    if text is None or node is None:
        return None
    try:
        return compile_expression(
            text,
            variables=variables,
            params=params,
            where=files.where(node),
            expect=expect,
            ratio=ratio,
        )
    except RulesError as error:
        files.problems.extend(error.problems)
        return None


def _read_variables(files: _Files, path: Path) -> dict[str, Variable]:
    variables: dict[str, Variable] = {}
    root = files.open(path)
    if root is None:
        return variables
    fields = files.mapping(root, "variables")
    for name, node in (fields or {}).items():
        what = f"variable `{name}`"
        if not _NAME.match(name) or name == "today" or name.startswith("params."):
            files.problem(node, f"{what}: a name is lower-case words joined by _ or .")
            continue
        spec = files.mapping(node, what)
        if spec is None:
            continue
        if "column" in spec:
            if not files.keys(node, spec, ("column", "label"), (), what):
                continue
            column = files.text(spec["column"], f"{what} column")
            label = files.labels(spec["label"], f"{what} label")
            if column is not None and column not in FACTS:
                files.problem(
                    spec["column"],
                    f"{what}: `{column}` is not a registry fact; valid: {', '.join(FACTS)}",
                )
                continue
            if column is None or label is None:
                continue
            fact = FACTS[column]
            variables[name] = Variable(name, fact.type, label, column=column, values=fact.values)
            continue
        if not files.keys(node, spec, ("type", "expr", "label"), (), what):
            continue
        kind = files.choice(spec["type"], tuple(Type), f"{what} type")
        label = files.labels(spec["label"], f"{what} label")
        expr = _expression(
            files, spec["expr"], variables, {}, Type(kind) if kind else None, what, ratio=True
        )
        if kind is None or label is None or expr is None:
            continue
        has_aggregate = any(isinstance(n, ir.Aggregate) for n in ir.walk(expr))
        variables[name] = Variable(name, Type(kind), label, expr=expr, has_aggregate=has_aggregate)
    return variables


def _read_parameters(files: _Files, directory: Path) -> Parameters:
    params = Parameters()
    if not directory.is_dir():
        return params
    for path in sorted(directory.glob("*.yaml")):
        root = files.open(path)
        if root is None:
            continue
        for group, group_node in (files.mapping(root, "parameters") or {}).items():
            if not _ID.match(group):
                files.problem(group_node, f"`{group}`: a group name is lower_case_with_underscores")
                continue
            for name, node in (files.mapping(group_node, f"group `{group}`") or {}).items():
                parameter = _read_parameter(files, f"{group}.{name}", node)
                if parameter is None:
                    continue
                if parameter.path in params:
                    files.problem(node, f"`params.{parameter.path}` is declared twice")
                    continue
                params[parameter.path] = parameter
    return params


def _read_parameter(files: _Files, path: str, node: yaml.Node) -> Parameter | None:
    what = f"parameter `params.{path}`"
    spec = files.mapping(node, what)
    if spec is None or not files.keys(node, spec, ("type", "label", "values"), (), what):
        return None
    kind = files.choice(spec["type"], tuple(Type), f"{what} type")
    label = files.labels(spec["label"], f"{what} label")
    values_node = spec["values"]
    if not isinstance(values_node, yaml.SequenceNode) or not values_node.value:
        files.problem(values_node, f"{what}: `values` must list at least one dated value")
        return None
    if kind is None or label is None:
        return None
    values: list[DatedValue] = []
    ok = True
    for item in values_node.value:
        entry = files.mapping(item, f"{what} value")
        if entry is None or not files.keys(
            item, entry, ("from", "value", "source"), (), f"{what} value"
        ):
            ok = False
            continue
        valid_from = files.day(entry["from"], f"{what} `from`")
        value = files.typed(entry["value"], Type(kind), f"{what} value")
        source = files.mapping(entry["source"], f"{what} source")
        title = url = None
        extra: dict[str, str] = {}
        if source is not None and files.keys(
            entry["source"], source, ("title", "url"), _SOURCE_OPTIONAL, f"{what} source"
        ):
            title = files.text(source["title"], f"{what} source title")
            url = files.text(source["url"], f"{what} source url")
            if url is not None and not url.startswith(("https://", "http://")):
                files.problem(source["url"], f"{what}: the source url must start with https://")
                url = None
            extra = _source_extra(files, source, what)
        if valid_from is None or value is None or title is None or url is None:
            ok = False
            continue
        if values and valid_from <= values[-1].valid_from:
            files.problem(item, f"{what}: dated values must be listed oldest first")
            ok = False
            continue
        values.append(DatedValue(valid_from, value, title, url, **extra))
    if not ok:
        return None
    return Parameter(path, Type(kind), label, tuple(values))


_SOURCE_OPTIONAL = ("title_en", "status", "note")


def _source_extra(files: _Files, source: dict[str, yaml.Node], what: str) -> dict[str, str]:
    """A source's optional English title, check status and working note."""
    extra: dict[str, str] = {}
    if "title_en" in source:
        extra["source_title_en"] = files.text(source["title_en"], f"{what} source title_en") or ""
    if "status" in source:
        extra["status"] = (
            files.choice(source["status"], SOURCE_STATUSES, f"{what} source status") or "unverified"
        )
    if "note" in source:
        extra["note"] = files.text(source["note"], f"{what} source note") or ""
    return extra


def _read_facts(files: _Files, node: yaml.Node | None, what: str) -> dict[str, Value] | None:
    fields = files.mapping(node, what)
    if fields is None:
        return None
    facts: dict[str, Value] = {}
    ok = True
    for name, value_node in fields.items():
        fact = FACTS.get(name)
        if fact is None:
            files.problem(value_node, f"{what}: `{name}` is not a fact; valid: {', '.join(FACTS)}")
            ok = False
            continue
        value = files.typed(value_node, fact.type, f"{what} `{name}`")
        if value is None:
            ok = False
            continue
        if fact.values and value not in fact.values:
            files.problem(value_node, f"{what} `{name}` must be one of {', '.join(fact.values)}")
            ok = False
            continue
        facts[name] = value
    return complete(facts) if ok else None


def _read_scenario(files: _Files, node: yaml.Node, service_kind: str) -> Scenario | None:
    what = "test"
    spec = files.mapping(node, what)
    if spec is None or not files.keys(
        node, spec, ("name", "date", "person", "expect"), ("household",), what
    ):
        return None
    name = files.text(spec["name"], "test name")
    what = f"test `{name}`"
    day = files.day(spec["date"], f"{what} date")
    person = _read_facts(files, spec["person"], f"{what} person")
    household: list[Mapping[str, Value]] = []
    ok = True
    if "household" in spec:
        members = spec["household"]
        if not isinstance(members, yaml.SequenceNode):
            files.problem(members, f"{what}: `household` must be a list of members' facts")
            ok = False
        else:
            for member_node in members.value:
                member = _read_facts(files, member_node, f"{what} household member")
                if member is None:
                    ok = False
                else:
                    household.append(member)
    expect = files.mapping(spec["expect"], f"{what} expect")
    eligible: bool | None = None
    amount: int | None = None
    if expect is not None and files.keys(
        spec["expect"], expect, ("eligible",), ("amount",), f"{what} expect"
    ):
        eligible = files.boolean(expect["eligible"], f"{what} expected eligible")
        if "amount" in expect and service_kind == "eligibility":
            files.problem(
                expect["amount"],
                f"{what}: an `eligibility` service has no amount to expect; remove `amount`",
            )
            ok = False
        elif "amount" in expect:
            amount = files.integer(expect["amount"], f"{what} expected amount")
            ok = ok and amount is not None
    if name is None or day is None or person is None or eligible is None or not ok:
        return None
    return Scenario(name, day, person, tuple(household), eligible, amount, node.start_mark.line + 1)


_SERVICE_REQUIRED = (
    "id",
    "version",
    "name",
    "summary",
    "agency",
    "kind",
    "legal_basis",
    "subject",
    "recipient",
    "triggers",
    "period",
    "eligible",
    "deadline_days",
    "auto_approve",
    "tests",
)


def _read_service(  # noqa: PLR0912, PLR0915 - one field after another
    files: _Files, path: Path, variables: Mapping[str, Variable], params: Parameters
) -> Service | None:
    root = files.open(path)
    if root is None:
        return None
    spec = files.mapping(root, "service")
    if spec is None or not files.keys(
        root,
        spec,
        _SERVICE_REQUIRED,
        ("amount", "once_per", "issues", "fee", "applicant_provides"),
        "service",
    ):
        return None
    before = len(files.problems)
    service_id = files.text(spec["id"], "id")
    if service_id is not None and not _ID.match(service_id):
        files.problem(spec["id"], "id: lower_case_with_underscores")
    if service_id is not None and service_id != path.stem:
        files.problem(spec["id"], f"id `{service_id}` must match the file name `{path.stem}`")
    version = files.text(spec["version"], "version")
    name = files.labels(spec["name"], "name")
    summary = files.labels(spec["summary"], "summary")
    agency = files.labels(spec["agency"], "agency")
    kind = files.choice(spec["kind"], KINDS, "kind")
    subject = files.choice(spec["subject"], SUBJECTS, "subject")
    recipient = files.choice(spec["recipient"], RECIPIENTS, "recipient")
    period = files.choice(spec["period"], PERIODS, "period")
    deadline = files.integer(spec["deadline_days"], "deadline_days", minimum=1)
    auto_approve = files.boolean(spec["auto_approve"], "auto_approve")
    bases: list[LegalBasis] = []
    basis_node = spec["legal_basis"]
    if not isinstance(basis_node, yaml.SequenceNode) or not basis_node.value:
        files.problem(basis_node, "legal_basis must list at least one law or official page")
    else:
        for item in basis_node.value:
            entry = files.mapping(item, "legal_basis")
            if entry is None or not files.keys(item, entry, ("title", "url"), (), "legal_basis"):
                continue
            title = files.labels(entry["title"], "legal_basis title")
            url = files.text(entry["url"], "legal_basis url")
            if url is not None and not url.startswith("https://"):
                files.problem(entry["url"], "legal_basis url must start with https://")
            elif title is not None and url is not None:
                bases.append(LegalBasis(title, url))
    life_events: tuple[str, ...] = ()
    sweep = "none"
    triggers = files.mapping(spec["triggers"], "triggers")
    if triggers is not None and files.keys(
        spec["triggers"], triggers, (), ("life_events", "sweep"), "triggers"
    ):
        events_node = triggers.get("life_events")
        if events_node is not None:
            if not isinstance(events_node, yaml.SequenceNode):
                files.problem(events_node, "triggers.life_events must be a list")
            else:
                life_events = tuple(
                    value
                    for item in events_node.value
                    if (value := files.choice(item, LIFE_EVENTS, "life event")) is not None
                )
        if "sweep" in triggers:
            sweep = files.choice(triggers["sweep"], SWEEPS, "triggers.sweep") or "none"
    once_per = None
    if "once_per" in spec:
        once_per = files.text(spec["once_per"], "once_per")
        fact = FACTS.get(once_per or "")
        if fact is None or fact.type not in (Type.DATE, Type.TEXT):
            files.problem(
                spec["once_per"],
                "once_per must name a registry fact of type date or text, e.g. passport_expiry",
            )
    issues = None
    if "issues" in spec:
        issues = files.choice(spec["issues"], DOCUMENTS, "issues")
        if kind != "document":
            files.problem(spec["issues"], "only a `document` service issues a document")
    fee = None
    if "fee" in spec:
        fee = files.text(spec["fee"], "fee")
        if fee is not None and params.types().get(fee) is not Type.MONEY:
            files.problem(spec["fee"], f"fee must name a money parameter, e.g. passport.fee: {fee}")
    provides: tuple[str, ...] = ()
    if "applicant_provides" in spec:
        node = spec["applicant_provides"]
        if not isinstance(node, yaml.SequenceNode):
            files.problem(node, "applicant_provides must be a list, e.g. [photo]")
        else:
            provides = tuple(
                value
                for item in node.value
                if (value := files.choice(item, PROVIDES, "applicant_provides")) is not None
            )
    types = params.types()
    eligible = _expression(files, spec["eligible"], variables, types, Type.BOOL, "eligible")
    amount = None
    amount_text = None
    if "amount" in spec and kind == "eligibility":
        files.problem(
            spec["amount"],
            "an `eligibility` service answers yes or no and pays nothing: remove `amount:`, "
            "or make it `kind: benefit`",
        )
    elif "amount" in spec:
        amount = _expression(files, spec["amount"], variables, types, Type.MONEY, "amount")
        amount_text = files.text(spec["amount"], "amount")
    elif kind == "benefit":
        files.problem(
            spec["kind"],
            "a `benefit` pays an amount: add an `amount:` expression, or, if the service only "
            "answers yes or no, make it `kind: eligibility`",
        )
    tests: list[Scenario] = []
    tests_node = spec["tests"]
    if not isinstance(tests_node, yaml.SequenceNode) or not tests_node.value:
        files.problem(tests_node, "tests must list at least one scenario")
    else:
        for item in tests_node.value:
            scenario = _read_scenario(files, item, kind or "")
            if scenario is not None:
                tests.append(scenario)
    if len(files.problems) > before:
        return None
    if not (service_id and version and name and summary and agency and kind and subject):
        return None
    if not (recipient and period and eligible) or deadline is None or auto_approve is None:
        return None
    return Service(
        id=service_id,
        version=version,
        name=name,
        summary=summary,
        agency=agency,
        kind=kind,
        legal_basis=tuple(bases),
        subject=subject,
        recipient=recipient,
        life_events=life_events,
        sweep=sweep,
        period=period,
        eligible=eligible,
        eligible_text=str(getattr(spec["eligible"], "value", "")),
        amount=amount,
        amount_text=amount_text,
        deadline_days=deadline,
        auto_approve=auto_approve,
        tests=tuple(tests),
        file=files.file,
        once_per=once_per,
        issues=issues,
        fee=fee,
        applicant_provides=provides,
    )


def load_rules(directory: Path | str) -> RulePack:
    """Load and check ``countries/<cc>/``'s rules; `RulesError` lists every problem."""
    root = Path(directory)
    files = _Files(root)
    if (root / declarations.FILE).exists():
        declarations.read_facts(files, root / declarations.FILE)
    variables_path = root / "variables.yaml"
    variables = _read_variables(files, variables_path) if variables_path.exists() else {}
    params = _read_parameters(files, root / "parameters")
    services: dict[str, Service] = {}
    for path in sorted((root / "services").glob("*.yaml")):
        service = _read_service(files, path, variables, params)
        if service is not None:
            services[service.id] = service
    if files.problems:
        raise RulesError(files.problems)
    return RulePack(root.name, variables, params, services)
