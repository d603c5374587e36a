"""The rule engine behind one port: rules compile to durable_rules JSON rulesets, a school's
facts run through them, and typed matches come back (``checker.engine.port``).

Only ``checker.engine.session`` imports ``durable_rules_engine``; nothing outside this
package sees the engine's vocabulary.
"""

from checker.engine.port import RELATED, SUBJECT, Match, RuleEngine, RuleMatches, SchoolMatches
from checker.engine.session import Engine, EngineError

__all__ = [
    "RELATED",
    "SUBJECT",
    "Engine",
    "EngineError",
    "Match",
    "RuleEngine",
    "RuleMatches",
    "SchoolMatches",
]
