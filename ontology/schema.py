"""Thin loaders for ``policykg.ttl`` (OWL) and ``shapes.ttl`` (SHACL), and validation.

>>> from rdflib import Graph, Literal, RDF, RDFS
>>> from policykg.ontology.namespace import PKG, PKGID
>>> g = Graph()
>>> jinan = PKGID["entity/jinan"]
>>> _ = g.add((jinan, RDF.type, PKG.Entity)).add((jinan, RDF.type, PKG.City))
>>> _ = g.add((jinan, RDFS.label, Literal("济南", lang="zh")))
>>> validate(g).conforms
True
>>> _ = g.add((jinan, PKG.specializesIn, PKGID["entity/qingdao"]))
>>> report = validate(g)
>>> report.conforms, report.violations[0].path == PKG.specializesIn
(False, True)
"""
from __future__ import annotations

from dataclasses import dataclass
from importlib import resources

from rdflib import Graph
from rdflib.namespace import SH
from rdflib.term import Node

__all__ = ["ontology_graph", "shapes_graph", "validate", "Violation", "ValidationReport"]


def _parse(name: str) -> Graph:
    g = Graph()
    g.parse(data=resources.files("policykg.ontology").joinpath(name).read_text("utf-8"),
            format="turtle")
    return g


def ontology_graph() -> Graph:
    """A fresh graph holding ``policykg.ttl`` (fresh so that callers may add to it)."""
    return _parse("policykg.ttl")


def shapes_graph() -> Graph:
    """A fresh graph holding ``shapes.ttl``."""
    return _parse("shapes.ttl")


@dataclass(frozen=True)
class Violation:
    """One SHACL result: which node, which path (``None`` for a node-level check), which value."""

    focus: Node
    path: Node | None
    value: Node | None
    message: str
    shape: Node


@dataclass(frozen=True)
class ValidationReport:
    conforms: bool
    violations: tuple[Violation, ...]   #: sorted by (focus, path, message)
    text: str                           #: pyshacl's human-readable report


def validate(data: Graph, *, shapes: Graph | None = None) -> ValidationReport:
    """Validate ``data`` against ``shapes.ttl`` (or ``shapes``) without inference.

    Class checks see only the data's own ``rdf:type`` triples, so every entity must
    carry ``pkg:Entity`` as well as its specific classes.
    """
    from pyshacl import validate as shacl_validate  # slow import; only when validating

    conforms, report, text = shacl_validate(
        data, shacl_graph=shapes if shapes is not None else shapes_graph(),
        inference="none", allow_warnings=False)
    out = []
    for result in report.subjects(predicate=SH.focusNode):
        out.append(Violation(
            focus=report.value(result, SH.focusNode),
            path=report.value(result, SH.resultPath),
            value=report.value(result, SH.value),
            message=str(report.value(result, SH.resultMessage) or ""),
            shape=report.value(result, SH.sourceShape),
        ))
    out.sort(key=lambda v: (str(v.focus), str(v.path or ""), v.message))
    return ValidationReport(conforms=bool(conforms), violations=tuple(out), text=str(text))
