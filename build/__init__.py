"""policykg.build — articles → mentions → relations → RDF (reading, segmenting,
extracting, the CLI)."""
