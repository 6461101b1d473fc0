"""SHACL validation of the built graph against ``policykg/ontology/shapes.ttl``.

:func:`validate` runs pyshacl on the union of all article graphs with the
ontology (``policykg.ttl``) mixed in — what pyshacl's ``ont_graph=`` does, done
here on a private copy so pyshacl can work in place — and **no inference**:
rdf.py already states every class an entity has (``pkg:Entity`` and the specific
ones), and SHACL's ``sh:class`` / ``sh:targetClass`` follow ``rdfs:subClassOf``
of the mixed-in ontology anyway, so RDFS inference would only add triples to
check (and time) and would hide a missing explicit type.

Speed: one pyshacl run over the union (not one per named graph), and each
SPARQL constraint is parsed once instead of once per focus node; about 2 s for
3,000 triples, of which half is turning ArticleGraphs into RDF.

>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''
... @prefix sh: <http://www.w3.org/ns/shacl#> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... @prefix pkg: <https://w3id.org/policykg/ontology#> .
... [] a sh:NodeShape ; sh:targetClass pkg:Entity ;
...    sh:property [ sh:path rdfs:label ; sh:minCount 1 ; sh:message "needs a label" ] .''')
>>> from policykg.graph.model import Article, ArticleGraph, Entity
>>> art = Article(id="demo-1", source="demo.txt", index=1, title="T", authors=(),
...               affiliations=(), paragraphs=("济南。",))
>>> validate([ArticleGraph(art, (Entity("济南", ("City",)),), ())], shapes=shapes).conforms
True
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal as TypingLiteral, NamedTuple

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from policykg.graph.rdf import PREFIXES, Source, oxigraph_quads
from policykg.ontology import schema

__all__ = ["ValidationResult", "ValidationReport", "validate", "shapes_graph", "ontology_graph"]


class ValidationResult(NamedTuple):
    focus: str       #: the node that failed (IRI or literal text)
    path: str        #: the property path (IRI), "" for node-level results
    message: str     #: sh:resultMessage, prefixed by the severity unless it is a violation


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    results: tuple[ValidationResult, ...]   #: sorted
    text: str                               #: pyshacl's human-readable report


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The SHACL shapes shipped as ``policykg.ontology/shapes.ttl`` (parsed once;
    the loader lives with the data in :mod:`policykg.ontology.schema`)."""
    return schema.shapes_graph()


@lru_cache(maxsize=1)
def ontology_graph() -> Graph:
    """The OWL ontology shipped as ``policykg.ontology/policykg.ttl`` (parsed once)."""
    return schema.ontology_graph()


def _rdflib(t: Any) -> Any:
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    return Literal(t.value, datatype=URIRef(t.datatype.value))


#: SPARQL text (+ initNs) → prepared rdflib query, shared by all validations
_PREPARED: dict[tuple[str, tuple[tuple[str, str], ...]], Any] = {}


class _PreparedQueryGraph(Graph):
    """A Graph that parses each distinct SPARQL text once per process.

    pyshacl runs a SPARQL constraint once per focus node, and rdflib re-parses
    the text every time (pyparsing: ~70 ms each, 80 % of the run); prepared
    rdflib queries are meant to be re-evaluated with other ``initBindings``.
    """

    def query(self, query_object: Any, processor: Any = "sparql", result: Any = "sparql",
              initNs: Any = None, initBindings: Any = None,  # noqa: N803 (rdflib's names)
              use_store_provided: bool = True, **kwargs: Any) -> Any:
        if isinstance(query_object, str) and processor == "sparql":
            from rdflib.plugins.sparql import prepareQuery

            key = (query_object, tuple(sorted((k, str(v)) for k, v in (initNs or {}).items())))
            prepared = _PREPARED.get(key)
            if prepared is None:
                if len(_PREPARED) > 256:       # shapes are few; never grow without bound
                    _PREPARED.clear()
                prepared = _PREPARED[key] = prepareQuery(query_object, initNs=initNs)
            query_object = prepared
        return super().query(query_object, processor, result, initNs, initBindings,
                             use_store_provided, **kwargs)


def _union(data: Any, ontology: Graph) -> Graph:
    """A private graph (pyshacl may then work in place) with the union and the ontology."""
    g = _PreparedQueryGraph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    if isinstance(data, Graph) and not data.context_aware:   # a plain Graph
        for t in data:
            g.add(t)
    else:
        for q in oxigraph_quads(data):
            g.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))
    for t in ontology:   # what pyshacl's ont_graph= does, minus a copy of the data
        g.add(t)
    return g


def validate(data: Source, *, shapes: Graph | None = None, ontology: Graph | None = None,
             inference: TypingLiteral["none", "rdfs"] = "none") -> ValidationReport:
    """Validate the union of ``data``'s graphs (anything the rdf writers accept).

    ``shapes`` / ``ontology`` default to the packaged ``shapes.ttl`` / ``policykg.ttl``.
    Warnings and infos are reported but do not make the graph non-conforming.
    """
    from pyshacl import validate as shacl

    conforms, report, text = shacl(
        _union(data, ontology if ontology is not None else ontology_graph()),
        shacl_graph=shapes if shapes is not None else shapes_graph(),
        inference=inference,
        inplace=True,           # the union graph is ours to change
        abort_on_first=False,
        allow_warnings=True,
        allow_infos=True,
        advanced=False,
    )
    results = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        severity = report.value(r, SH.resultSeverity)
        message = str(report.value(r, SH.resultMessage) or report.value(r, SH.sourceConstraintComponent) or "")
        if severity is not None and severity != SH.Violation:
            message = f"{str(severity).rsplit('#', 1)[-1]}: {message}"
        path = report.value(r, SH.resultPath)
        results.append(ValidationResult(
            str(report.value(r, SH.focusNode) or ""),
            str(path) if isinstance(path, URIRef) else "",
            message,
        ))
    return ValidationReport(bool(conforms), tuple(sorted(results)), text)
