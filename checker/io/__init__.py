"""Input and output at the edges: YAML reading and error location, validation, profiles,
rule packs, the round-trip profile editor and the batch cache."""
