"""Thin loaders for ``policykg.ttl`` (OWL) and ``shapes.ttl`` (SHACL): the schema as
data. Validation against the shapes is :func:`policykg.graph.validate.validate`.

>>> from rdflib.namespace import RDF, SH
>>> from rdflib import URIRef
>>> (URIRef("https://w3id.org/policykg/shapes#EntityShape"), RDF.type, SH.NodeShape) in shapes_graph()
True
"""
from __future__ import annotations

from importlib import resources

from rdflib import Graph

__all__ = ["ontology_graph", "shapes_graph"]


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
