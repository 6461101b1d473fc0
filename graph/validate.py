"""SHACL validation of built graphs against ``policykg/ontology/shapes.ttl``: the one
:func:`validate` and its :class:`ValidationReport`.

Two engines, the same results (tests/test_validate.py runs both on conforming graphs
and on graphs that violate every shape of shapes.ttl; the one difference found, about
literals of unknown datatypes, is tested there too):

* ``"fast"`` (the default) — `pyshacl-turbo <https://pypi.org/project/pyshacl-turbo/>`_,
  a SHACL engine in Rust with pySHACL's API (MIT/Apache-2.0) that parses our N-Quads
  itself; ~10x faster than pySHACL on the project's shapes (bench/bench_shacl.py);
* ``"pyshacl"`` — `pySHACL <https://pypi.org/project/pyshacl/>`_, the reference.

Both see the **union** of the data's graphs and **no inference**: class checks
(``sh:class``, ``sh:targetClass``) use the data's own ``rdf:type`` triples, as
shapes.ttl requires (the RDF writer types every entity ``pkg:Entity`` as well as its
specific classes). Pass ``ontology=`` to mix an ontology in (what pySHACL's
``ont_graph=`` does); its ``rdfs:subClassOf`` triples then count.

Both engines' report graphs are read by the same code into sorted
:class:`ValidationResult` rows, and :attr:`ValidationReport.text` renders them the
same way whichever engine ran, so outputs do not depend on the engine.

>>> from rdflib import Graph
>>> shapes = Graph().parse(format="turtle", data='''
... @prefix sh: <http://www.w3.org/ns/shacl#> .
... @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
... @prefix pkg: <https://w3id.org/policykg/ontology#> .
... pkg:S a sh:NodeShape ; sh:targetClass pkg:City ;
...    sh:property [ sh:path pkg:adcode ; sh:minCount 1 ; sh:message "needs an adcode" ] .''')
>>> from policykg.graph.model import Article, ArticleGraph, Entity
>>> art = Article(id="demo-1", source="demo.txt", index=1, title="T", authors=(),
...               affiliations=(), paragraphs=("济南。",))
>>> graphs = [ArticleGraph(art, (Entity("济南", ("City",)),), ())]
>>> report = validate(graphs, shapes=shapes)
>>> report.conforms, report == validate(graphs, shapes=shapes, engine="pyshacl")
(False, True)
>>> r = report.results[0]
>>> r.path, r.severity, r.message, r.shape, r.component
('https://w3id.org/policykg/ontology#adcode', 'Violation', 'needs an adcode', 'https://w3id.org/policykg/ontology#S', 'MinCountConstraintComponent')
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Literal as TypingLiteral

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDF, SH

from policykg.graph.rdf import PREFIXES, Source, oxigraph_quads
from policykg.ontology import schema

__all__ = ["ENGINES", "Engine", "ValidationResult", "ValidationReport", "validate",
           "shapes_graph", "shape_names"]

Engine = TypingLiteral["fast", "pyshacl"]
#: the engines :func:`validate` can run (``--shacl-engine``); the first is the default
ENGINES: tuple[str, ...] = ("fast", "pyshacl")


@dataclass(frozen=True, order=True)
class ValidationResult:
    """One SHACL result (``sh:ValidationResult``), as plain strings."""

    focus: str               #: the node that failed (IRI, or a literal's lexical form)
    path: str                #: the property path (IRI), "" for node-level results
    message: str             #: the shape's sh:message, else the constraint component's name
    severity: str = "Violation"   #: Violation, Warning or Info
    value: str = ""          #: sh:value in N-Triples syntax, "" when there is none
    shape: str = ""          #: the named shape the constraint is in ("" for an anonymous one)
    component: str = ""      #: the constraint component, e.g. MinCountConstraintComponent

    @property
    def row(self) -> tuple[str, str, str]:
        """(focus, path, message) with ``Warning: ``/``Info: `` before a non-violation's
        message: the row of validation.txt and of the build's per-article cache."""
        if self.severity == "Violation":
            return self.focus, self.path, self.message
        return self.focus, self.path, f"{self.severity}: {self.message}"


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool                          #: no result of severity Violation
    results: tuple[ValidationResult, ...]   #: sorted

    @property
    def violations(self) -> tuple[ValidationResult, ...]:
        return tuple(r for r in self.results if r.severity == "Violation")

    @property
    def text(self) -> str:
        """A human-readable report (the same whichever engine ran).

        >>> ValidationReport(False, (ValidationResult("urn:x", "urn:p", "bad"),)).text.splitlines()
        ['Validation Report', 'Conforms: False', 'Results: 1 (1 violations)', 'Violation\\turn:x\\turn:p\\tbad']
        """
        lines = ["Validation Report", f"Conforms: {self.conforms}",
                 f"Results: {len(self.results)} ({len(self.violations)} violations)"]
        lines += [f"{r.severity}\t{r.focus}\t{r.path or '-'}\t{r.message}" for r in self.results]
        return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def shapes_graph() -> Graph:
    """The SHACL shapes shipped as ``policykg.ontology/shapes.ttl`` (parsed once;
    the loader lives with the data in :mod:`policykg.ontology.schema`)."""
    return schema.shapes_graph()


def shape_names(shapes: Graph) -> dict[Any, str]:
    """Shape node → the name :attr:`ValidationResult.shape` reports: a shape's IRI, or
    for a blank-node property shape the IRI of the node shape that holds it (with the
    result's path that names the constraint); "" for anonymous node shapes.

    >>> g = Graph().parse(format="turtle", data='''@prefix sh: <http://www.w3.org/ns/shacl#> .
    ... <urn:S> a sh:NodeShape ; sh:property [ sh:path <urn:p> ; sh:minCount 1 ] .''')
    >>> sorted(shape_names(g).values())
    ['urn:S', 'urn:S']
    """
    names: dict[Any, str] = {}
    for s in set(shapes.subjects(RDF.type, SH.NodeShape)) | set(shapes.subjects(SH.property)):
        names[s] = str(s) if isinstance(s, URIRef) else ""
        for ps in shapes.objects(s, SH.property):
            names[ps] = str(ps) if isinstance(ps, URIRef) else names[s]
    return names


def _rdflib(t: Any) -> Any:
    if isinstance(t, ox.NamedNode):
        return URIRef(t.value)
    if isinstance(t, ox.BlankNode):
        return BNode(t.value)
    if t.language:
        return Literal(t.value, lang=t.language)
    return Literal(t.value, datatype=URIRef(t.datatype.value))


def _nquads(data: Source | bytes, ontology: Graph | None) -> str:
    """``data`` (+ ``ontology``) as N-Quads text, which pyshacl-turbo parses in Rust (a
    pyoxigraph Store costs more: it is dumped to this text anyway)."""
    parts = [data if isinstance(data, bytes)
             else ox.serialize(oxigraph_quads(data), format=ox.RdfFormat.N_QUADS)]
    if ontology is not None:
        parts.append(ox.serialize(oxigraph_quads(ontology), format=ox.RdfFormat.N_QUADS))
    return b"".join(parts).decode("utf-8")


#: SPARQL text (+ initNs) → prepared rdflib query, shared by all pyshacl validations
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


def _graph(data: Source | bytes, ontology: Graph | None) -> Graph:
    """A private rdflib graph (pyshacl may then work in place) with the union (+ ontology)."""
    g = _PreparedQueryGraph()
    for prefix, ns in PREFIXES.items():
        g.bind(prefix, ns)
    if isinstance(data, Graph) and not data.context_aware:   # a plain Graph
        for t in data:
            g.add(t)
    else:
        quads = ox.parse(data, format=ox.RdfFormat.N_QUADS) if isinstance(data, bytes) \
            else oxigraph_quads(data)
        for q in quads:
            g.add((_rdflib(q.subject), _rdflib(q.predicate), _rdflib(q.object)))
    for t in ontology if ontology is not None else ():
        g.add(t)
    return g


@lru_cache(maxsize=1)
def _packaged_program() -> Any:
    import pyshacl_turbo

    return pyshacl_turbo.compile_shapes(shapes_graph())   # ~0.1 s: once per process


def validate(data: Source | bytes, *, shapes: Graph | None = None, ontology: Graph | None = None,
             engine: Engine = "fast") -> ValidationReport:
    """Validate the union of ``data``'s graphs: anything the rdf writers accept, or
    N-Quads as bytes (what the build's workers and summary writer have at hand).

    ``shapes`` defaults to the packaged ``shapes.ttl``; ``ontology`` (none by default)
    is mixed into the data. Warnings and infos are reported but do not make the graph
    non-conforming. ``engine``: ``"fast"`` (pyshacl-turbo) or ``"pyshacl"``.
    """
    options = dict(inference="none", abort_on_first=False, allow_warnings=True,
                   allow_infos=True)
    if engine == "fast":
        import pyshacl_turbo
        from pyshacl_turbo.rdf import Input   # its parsed-in-Rust input (what a Store becomes)

        program = (_packaged_program() if shapes is None
                   else pyshacl_turbo.compile_shapes(shapes))
        conforms, report, _ = program.validate(Input(_nquads(data, ontology), "nquads", None, {}),
                                               **options)
    elif engine == "pyshacl":
        from pyshacl import validate as shacl

        conforms, report, _ = shacl(_graph(data, ontology),
                                    shacl_graph=shapes if shapes is not None else shapes_graph(),
                                    inplace=True,   # the graph is ours to change
                                    advanced=False, **options)
    else:
        raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    return ValidationReport(bool(conforms),
                            _results(report, shapes if shapes is not None else shapes_graph()))


_XSD_STRING = URIRef("http://www.w3.org/2001/XMLSchema#string")


def _nt(value: Any) -> str:
    """sh:value in N-Triples syntax; "" for none or a blank node (whose label is arbitrary)."""
    if value is None or isinstance(value, BNode):
        return ""
    if isinstance(value, Literal) and value.datatype == _XSD_STRING:
        value = Literal(str(value))   # RDF 1.1: the same term; pyshacl-turbo spells it out
    return value.n3()


def _results(report: Graph, shapes: Graph) -> tuple[ValidationResult, ...]:
    """The sorted results of a SHACL report graph (either engine's). The message is the
    shape's sh:message, else the constraint component's name: the engines' own default
    messages differ."""
    names, out = shape_names(shapes), []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        component = report.value(r, SH.sourceConstraintComponent)
        source = report.value(r, SH.sourceShape)
        declared = any(shapes.value(node, SH.message) is not None  # a SPARQL constraint's own
                       for node in (source, report.value(r, SH.sourceConstraint)))
        message = report.value(r, SH.resultMessage) if declared else None
        severity, path, value = (report.value(r, p) for p in (SH.resultSeverity, SH.resultPath,
                                                              SH.value))
        out.append(ValidationResult(
            focus=str(report.value(r, SH.focusNode) or ""),
            path=str(path) if isinstance(path, URIRef) else "",
            message=str(message) if message is not None else str(component).rsplit("#", 1)[-1],
            severity=str(severity or SH.Violation).rsplit("#", 1)[-1],
            value=_nt(value),
            shape=names.get(source, ""),
            component=str(component or "").rsplit("#", 1)[-1],
        ))
    return tuple(sorted(out))
