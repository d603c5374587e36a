"""The rule engine behind one port: rules compile to durable_rules JSON rulesets, a school's
facts run through them, and typed matches come back (``checker.engine.port``).

Only ``checker.engine.session`` imports ``durable_rules_engine``; nothing outside this
package sees the engine's vocabulary.
"""

from checker.engine.limits import LimitIssue, rules_limit_issues
from checker.engine.port import RELATED, SUBJECT, Match, RuleEngine, RuleMatches, SchoolMatches
from checker.engine.session import Engine, EngineError

__all__ = [
    "RELATED",
    "SUBJECT",
    "Engine",
    "EngineError",
    "LimitIssue",
    "Match",
    "RuleEngine",
    "RuleMatches",
    "SchoolMatches",
    "rules_limit_issues",
]
