"""The policykg vocabulary as a closed namespace.

A typo in a class or predicate name fails at import time instead of silently
minting a new IRI:

>>> from policykg.ontology.namespace import PKG
>>> str(PKG.coordinatesWith)
'https://w3id.org/policykg/ontology#coordinatesWith'
>>> PKG.coordinateWith
Traceback (most recent call last):
...
AttributeError: term 'coordinateWith' not in namespace 'https://w3id.org/policykg/ontology#'
"""
from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DefinedNamespace
from rdflib.term import URIRef

ONTOLOGY_IRI = "https://w3id.org/policykg/ontology"
#: Base of every instance IRI (entities, articles, assertions, named graphs).
PKGID = Namespace("https://w3id.org/policykg/id/")


class PKG(DefinedNamespace):
    """Classes and properties of the policykg ontology (``ontology/policykg.ttl``)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # --- entity classes (GUIDELINES.md, "Entity types")
    Entity: URIRef
    City: URIRef
    Region: URIRef
    Industry: URIRef
    Technology: URIRef
    Strategy: URIRef
    Mechanism: URIRef
    PolicyDocument: URIRef
    Organization: URIRef
    # --- object properties (GUIDELINES.md, "Relations")
    coordinatesWith: URIRef
    complements: URIRef
    modeledOn: URIRef
    specializesIn: URIRef
    partOf: URIRef
    involves: URIRef
    implements: URIRef
    establishes: URIRef
    focusesOn: URIRef
    enables: URIRef
    issuedBy: URIRef
    # --- provenance of assertions
    Article: URIRef
    Assertion: URIRef
    Evidence: URIRef
    Rule: URIRef
    evidence: URIRef
    sentence: URIRef
    startOffset: URIRef
    endOffset: URIRef
    rule: URIRef
    confidence: URIRef
    negated: URIRef
    article: URIRef
    sourceFile: URIRef
    articleIndex: URIRef
    contentHash: URIRef
    adcode: URIRef
    mentionCount: URIRef
    # --- the summary graph (graph/summary.py): totals over all article graphs
    EntityTypeSummary: URIRef
    RelationSummary: URIRef
    entity: URIRef
    entityClass: URIRef
    entityName: URIRef
    labelRank: URIRef
    articleCount: URIRef
    relationSubject: URIRef
    relationPredicate: URIRef
    relationObject: URIRef
    subjectName: URIRef
    objectName: URIRef
    subjectRank: URIRef
    objectRank: URIRef
    relationRank: URIRef
    bestSentence: URIRef
    bestSentenceArticle: URIRef
    maxConfidence: URIRef
    # --- the summary graph over time (the articles' dcterms:issued)
    YearCount: URIRef
    firstStated: URIRef
    lastStated: URIRef
    yearCount: URIRef
    year: URIRef
    undatedArticleCount: URIRef


ENTITY_TYPES: tuple[str, ...] = (
    "City", "Region", "Industry", "Technology", "Strategy", "Mechanism",
    "PolicyDocument", "Organization",
)
PREDICATES: tuple[str, ...] = (
    "coordinatesWith", "complements", "modeledOn", "specializesIn", "partOf",
    "involves", "implements", "establishes", "focusesOn", "enables", "issuedBy",
)
SYMMETRIC_PREDICATES: frozenset[str] = frozenset({"coordinatesWith", "complements"})
