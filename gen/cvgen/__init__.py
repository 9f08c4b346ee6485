"""cvisor's spec generator: load and validate spec/, then render templates."""
