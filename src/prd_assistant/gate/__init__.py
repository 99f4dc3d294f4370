"""``prd review`` as a CI gate: inline suppressions, a baseline of accepted findings, rule docs.

* :mod:`~prd_assistant.gate.suppress`: ``<!-- prd-review: disable=RULE -->`` comments hide
  findings of the next block (``disable-file`` of the whole file); a suppression that hides
  nothing is itself reported.
* :mod:`~prd_assistant.gate.baseline`: a JSON file of accepted findings, matched by rule,
  section and normalised text (never by line), so only new findings fail a build.
* :mod:`~prd_assistant.gate.catalog`: every rule id the tools report, with a docs page each.
"""

from prd_assistant.gate.baseline import Baseline, BaselineError, fingerprint
from prd_assistant.gate.suppress import apply_suppressions, parse_suppressions

__all__ = ["Baseline", "BaselineError", "apply_suppressions", "fingerprint", "parse_suppressions"]
