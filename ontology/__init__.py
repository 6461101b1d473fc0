"""policykg.ontology — the schema and vocabularies as data, with thin loaders.

Data files (each names its source in its first lines):

- ``policykg.ttl``  OWL ontology: 8 classes, 11 object properties
- ``shapes.ttl``    SHACL shapes every build is validated against
- ``lexicons/*.tsv`` gazetteer, short names, regions, seed vocabularies
- ``queries/*.rq``  named SPARQL queries for analysts
"""
from policykg.ontology.namespace import PKG, PKGID, ENTITY_TYPES, PREDICATES, SYMMETRIC_PREDICATES

__all__ = ["PKG", "PKGID", "ENTITY_TYPES", "PREDICATES", "SYMMETRIC_PREDICATES"]
