"""Data models and vocabularies shared by every stage: the profile, rule packs, facts,
findings, the report, sources and located input errors. Imports nothing of objcheck else."""
