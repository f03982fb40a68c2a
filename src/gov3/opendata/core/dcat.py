"""The open-data catalogue as DCAT 3 / DCAT-AP 3 RDF (rdflib), served as Turtle and JSON-LD.

Pure: plain descriptions in, an RDF graph out. Every resource a DCAT-AP shape expects to be of
a class (publisher → foaf:Agent, licence → dct:LicenseDocument, frequency → dct:Frequency,
format → dct:MediaTypeOrExtent, media type → dct:MediaType, contact → vcard:Kind, language →
dct:LinguisticSystem) is typed, so the catalogue passes the DCAT-AP 3.0.1 SHACL shapes shipped
in ``opendata/shapes/``; a CKAN (ckanext-dcat) or data.europa.eu harvester reads it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
#: EU Publications Office authority tables (as DCAT-AP recommends).
EU_FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "QUARTERLY", "ANNUAL", "IRREG", "UPDATE_CONT")
#: The formats every dataset is offered in: (EU file type, IANA media type, file extension).
FORMATS = (
    ("CSV", "text/csv", "csv"),
    ("JSON", "application/json", "json"),
    ("PARQUET", "application/vnd.apache.parquet", "parquet"),
)
_LANGUAGE_CODES = {"ko": "KOR", "en": "ENG", "vi": "VIE"}


@dataclass(frozen=True)
class DatasetEntry:
    """One dataset of the catalogue: what it is, how often it changes, where to get it."""

    slug: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    keywords: Sequence[str]
    frequency: str  # one of FREQUENCIES
    modified: date
    download_base: str  # e.g. https://site/open-data/datasets/take-up (no extension)
    schema_url: str  # the Frictionless Table Schema of its CSV
    page_url: str


@dataclass(frozen=True)
class CatalogEntry:
    """The catalogue itself and who publishes it."""

    uri: str
    title: Mapping[str, str]
    description: Mapping[str, str]
    publisher_name: Mapping[str, str]
    publisher_uri: str
    homepage: str
    contact_email: str
    licence_url: str
    licence_title: str
    languages: Sequence[str]
    spatial: str = ""  # e.g. http://publications.europa.eu/resource/authority/country/KOR


def _texts(graph: Graph, subject: URIRef, predicate: URIRef, texts: Mapping[str, str]) -> None:
    for language, text in sorted(texts.items()):
        if text:
            graph.add((subject, predicate, Literal(text, lang=language)))


def build_graph(  # noqa: PLR0915 - one triple after another
    catalog: CatalogEntry, datasets: Sequence[DatasetEntry]
) -> Graph:
    """The DCAT graph of the catalogue, its datasets and their distributions."""
    graph = Graph()
    graph.bind("dcat", DCAT)
    graph.bind("dct", DCTERMS)
    graph.bind("foaf", FOAF)
    graph.bind("vcard", VCARD)
    root = URIRef(catalog.uri)
    publisher = URIRef(catalog.publisher_uri)
    licence = URIRef(catalog.licence_url)
    graph.add((root, RDF.type, DCAT.Catalog))
    _texts(graph, root, DCTERMS.title, catalog.title)
    _texts(graph, root, DCTERMS.description, catalog.description)
    graph.add((root, DCTERMS.publisher, publisher))
    graph.add((root, FOAF.homepage, URIRef(catalog.homepage)))
    graph.add((URIRef(catalog.homepage), RDF.type, FOAF.Document))
    graph.add((root, DCTERMS.license, licence))
    graph.add((publisher, RDF.type, FOAF.Agent))
    _texts(graph, publisher, FOAF.name, catalog.publisher_name)
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.title, Literal(catalog.licence_title)))
    languages = [EU_LANGUAGE[_LANGUAGE_CODES[code]] for code in catalog.languages]
    for language in languages:
        graph.add((root, DCTERMS.language, language))
        graph.add((language, RDF.type, DCTERMS.LinguisticSystem))
    if catalog.spatial:
        graph.add((root, DCTERMS.spatial, URIRef(catalog.spatial)))
        graph.add((URIRef(catalog.spatial), RDF.type, DCTERMS.Location))
    contact = BNode("contact")
    graph.add((contact, RDF.type, VCARD.Kind))
    graph.add((contact, VCARD.fn, Literal(catalog.publisher_name.get("en", ""))))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{catalog.contact_email}")))
    for entry in datasets:
        if entry.frequency not in FREQUENCIES:
            raise ValueError(f"dataset {entry.slug}: unknown frequency {entry.frequency!r}")
        dataset = URIRef(f"{catalog.uri}#{entry.slug}")
        graph.add((root, DCAT.dataset, dataset))
        graph.add((dataset, RDF.type, DCAT.Dataset))
        _texts(graph, dataset, DCTERMS.title, entry.title)
        _texts(graph, dataset, DCTERMS.description, entry.description)
        graph.add((dataset, DCTERMS.identifier, Literal(entry.slug)))
        for keyword in entry.keywords:
            graph.add((dataset, DCAT.keyword, Literal(keyword, lang="en")))
        graph.add((dataset, DCTERMS.publisher, publisher))
        graph.add((dataset, DCAT.contactPoint, contact))
        frequency = EU_FREQUENCY[entry.frequency]
        graph.add((dataset, DCTERMS.accrualPeriodicity, frequency))
        graph.add((frequency, RDF.type, DCTERMS.Frequency))
        graph.add((dataset, DCTERMS.modified, Literal(entry.modified, datatype=XSD.date)))
        graph.add((dataset, DCAT.landingPage, URIRef(entry.page_url)))
        graph.add((URIRef(entry.page_url), RDF.type, FOAF.Document))
        for language in languages:
            graph.add((dataset, DCTERMS.language, language))
        if catalog.spatial:
            graph.add((dataset, DCTERMS.spatial, URIRef(catalog.spatial)))
        schema = URIRef(entry.schema_url)
        graph.add((schema, RDF.type, DCTERMS.Standard))
        graph.add((schema, DCTERMS.title, Literal(f"Table Schema of {entry.slug}", lang="en")))
        for file_type, media, extension in FORMATS:
            distribution = URIRef(f"{catalog.uri}#{entry.slug}-{extension}")
            url = URIRef(f"{entry.download_base}.{extension}")
            graph.add((dataset, DCAT.distribution, distribution))
            graph.add((distribution, RDF.type, DCAT.Distribution))
            graph.add((distribution, DCAT.accessURL, url))
            graph.add((distribution, DCAT.downloadURL, url))
            graph.add((distribution, DCTERMS.title, Literal(f"{entry.slug} ({file_type})")))
            graph.add((distribution, DCTERMS.license, licence))
            fmt = EU_FILE_TYPE[file_type]
            graph.add((distribution, DCTERMS.format, fmt))
            graph.add((fmt, RDF.type, DCTERMS.MediaTypeOrExtent))
            media_type = URIRef(IANA_MEDIA_TYPES + media)
            graph.add((distribution, DCAT.mediaType, media_type))
            graph.add((media_type, RDF.type, DCTERMS.MediaType))
            graph.add((distribution, DCTERMS.conformsTo, schema))
    return graph


def turtle(graph: Graph) -> str:
    return graph.serialize(format="turtle")


def json_ld(graph: Graph) -> str:
    context = {
        "dcat": str(DCAT),
        "dct": str(DCTERMS),
        "foaf": str(FOAF),
        "vcard": str(VCARD),
        "xsd": str(XSD),
    }
    return graph.serialize(format="json-ld", context=context, indent=2)
