"""The pure pipeline: profile → facts → engine → evaluate → score, with time and the
inspector's verdicts. ``checker.core.match`` defines what a ``where`` means."""
