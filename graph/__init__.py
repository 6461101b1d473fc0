"""policykg.graph — everything once the RDF exists: model → RDF, store, SPARQL,
views, analysis, export, evaluation."""
