"""The harness: pack test cases, the synthetic school generator (benchmark and tests) and
the reference semantics the engine is tested against. Never imported by the product."""
