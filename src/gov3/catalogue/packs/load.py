"""`load_pack`: reads pack.yaml and the files it names, and returns a complete `CountryPack` or
raises `PackError` listing every problem; `pack_path` finds a country's pack.
"""

from __future__ import annotations

from pathlib import Path

from gov3.catalogue.packs.areas import _read_areas
from gov3.catalogue.packs.contents import CountryPack, PackError, PackProblem
from gov3.catalogue.packs.head import _CODE, _read_head
from gov3.catalogue.packs.personnel import FILE as PERSONNEL_FILE
from gov3.catalogue.packs.personnel import PersonnelPack, PersonnelPackError
from gov3.catalogue.packs.personnel import parse as parse_personnel
from gov3.catalogue.packs.personnel_service import ServicePackError
from gov3.catalogue.packs.personnel_service import parse as parse_service_rules
from gov3.catalogue.packs.population import _read_population
from gov3.catalogue.packs.reader import _Reader
from gov3.catalogue.packs.recruitment import FILE as RECRUITMENT_FILE
from gov3.catalogue.packs.recruitment import RecruitmentPackError
from gov3.catalogue.packs.recruitment import parse as parse_recruitment
from gov3.catalogue.packs.school_assessment import check_assessment
from gov3.catalogue.packs.schools import SCHOOL_LEVELS, SCHOOLS_DIR, SCHOOLS_FILE, read_schools

PACK_FILE = "pack.yaml"


def pack_path(code: str, countries_dir: Path) -> Path:
    """The directory of the pack for country ``code`` (two lower-case letters)."""
    if not _CODE.match(code):
        raise PackError(
            [PackProblem(str(countries_dir), None, f"{code!r} is not a country code (e.g. kr)")]
        )
    return countries_dir / code


def _sibling(
    directory: Path, name: str | None, problems: list[PackProblem], what: str
) -> Path | None:
    if name is None:
        return None
    path = (directory / name).resolve()
    if directory.resolve() not in path.parents:
        problems.append(
            PackProblem(str(directory / PACK_FILE), None, f"{what} must be inside the pack")
        )
        return None
    if not path.is_file():
        problems.append(
            PackProblem(str(directory / PACK_FILE), None, f"{what} {name!r} does not exist")
        )
        return None
    return directory / name


def load_pack(path: Path | str) -> CountryPack:
    """Read and validate the pack at ``path`` (its directory or its pack.yaml).

    Raises `PackError` listing every problem found, with file and line.
    """
    path = Path(path)
    directory = path.parent if path.name == PACK_FILE or path.is_file() else path
    pack_file = directory / PACK_FILE
    problems: list[PackProblem] = []
    reader = _Reader(str(pack_file), problems)
    root = reader.compose(pack_file)
    if root is None:
        raise PackError(problems)
    head = _read_head(reader, root, directory)
    areas_path = _sibling(directory, head.areas_file, problems, "areas.file")
    areas = _read_areas(areas_path, head.area_levels, problems) if areas_path else []
    population_path = _sibling(directory, head.population_file, problems, "population.file")
    population = _read_population(population_path, problems) if population_path else None
    leaf_level = head.area_levels[-1] if head.area_levels else None
    schools = read_schools(directory, areas, leaf_level, problems)
    if (directory / SCHOOLS_DIR / SCHOOLS_FILE).is_file():
        school_levels = {s.level for s in schools.schools} if schools else set()
        check_assessment(
            directory / SCHOOLS_DIR, head.languages or (), school_levels, SCHOOL_LEVELS, problems
        )
    personnel = _read_personnel(directory, problems)
    if problems:
        raise PackError(problems)
    assert head.code is not None
    assert head.iso3 is not None
    assert head.names is not None
    assert head.locale is not None
    assert head.languages is not None
    assert head.currency is not None
    assert head.time_zone is not None
    assert head.national_id is not None
    assert head.age_of_majority is not None
    assert head.passport is not None
    assert head.area_levels is not None
    assert population is not None
    # Parents before children, so that the areas can be loaded in one pass.
    levels = head.area_levels
    ordered = sorted(areas, key=lambda a: (levels.index(a.level), a.line))
    return CountryPack(
        path=directory,
        code=head.code,
        iso3=head.iso3,
        names=head.names,
        locale=head.locale,
        languages=head.languages,
        currency=head.currency,
        time_zone=head.time_zone,
        national_id=head.national_id,
        age_of_majority=head.age_of_majority,
        passport=head.passport,
        area_levels=head.area_levels,
        areas=tuple(ordered),
        population=population,
        references=head.references,
        schools=schools,
        personnel=personnel,
    )


def _read_personnel(directory: Path, problems: list[PackProblem]) -> PersonnelPack | None:
    """The pack's personnel data, if it has any; its problem, if it is not valid."""
    path = directory / PERSONNEL_FILE
    if not path.exists():
        return None
    text = path.read_text(encoding="utf-8")
    try:  # the open-position and leave rules (issue 18 items 8 and 9)
        parse_service_rules(text, str(path))
    except ServicePackError as error:
        problems.append(PackProblem(str(path), None, str(error).removeprefix(f"{path}: ")))
    try:
        personnel = parse_personnel(text, str(path))
    except PersonnelPackError as error:
        problems.append(PackProblem(str(path), None, str(error).removeprefix(f"{path}: ")))
        return None
    recruitment = directory / RECRUITMENT_FILE
    if recruitment.exists():  # the exam rules (issue 18 item 4), against the pack's grades
        try:
            parse_recruitment(
                recruitment.read_text(encoding="utf-8"),
                str(recruitment),
                {g.code for g in personnel.grades},
            )
        except RecruitmentPackError as error:
            message = str(error).removeprefix(f"{recruitment}: ")
            problems.append(PackProblem(str(recruitment), None, message))
    return personnel
