"""Generated and schema documentation matches the code."""

from __future__ import annotations

import json
import re

from conftest import REPO

from kmspolicy.evaluate.decision import decision_schema
from kmspolicy.findings import CODES


def test_findings_page_lists_every_code():
    page = (REPO / "docs" / "findings.md").read_text()
    listed = re.findall(r"^\| `([a-z0-9-]+)` \|", page, re.MULTILINE)
    assert listed == list(CODES)


def test_decision_page_carries_current_schema():
    page = (REPO / "docs" / "decision.md").read_text()
    block = re.search(r"```json\n(.*?)```", page, re.DOTALL).group(1)
    assert json.loads(block) == decision_schema()
