"""objcheck: checks a school's documented setup against declarative rule packs."""

from checker.core.check import Checker
from checker.core.facts import extract_facts
from checker.io.load import load_profile, read_profile
from checker.io.packs import RuleBook, load_pack, load_rulebook
from checker.model.errors import InputError, Problem
from checker.model.factkinds import Facts
from checker.model.findings import Finding, Outcome, SubjectFinding
from checker.model.profile import Profile
from checker.model.report import Report
from checker.model.rulepack import Rule, RulePack

__all__ = [
    "Checker",
    "Facts",
    "Finding",
    "InputError",
    "Outcome",
    "Problem",
    "Profile",
    "Report",
    "Rule",
    "RuleBook",
    "RulePack",
    "SubjectFinding",
    "extract_facts",
    "load_pack",
    "load_profile",
    "load_rulebook",
    "read_profile",
]
