"""objcheck: checks a school's documented setup against declarative rule packs."""

from checker.api import Checker
from checker.errors import InputError, Problem
from checker.facts import Facts, extract_facts
from checker.findings import Finding, Outcome, SubjectFinding
from checker.load import load_profile, read_profile
from checker.packs import RuleBook, load_pack, load_rulebook
from checker.profile import Profile
from checker.report import Report
from checker.rulepack import Rule, RulePack

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
