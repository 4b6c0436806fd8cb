"""README's example runs, and CI runs README's test command as written."""

from __future__ import annotations

import re
import textwrap

from conftest import REPO

README = (REPO / "README.md").read_text()


def test_readme_python_example_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README, re.DOTALL)
    assert blocks, "README has no python example"

    # The blocks form one session: later ones use names the first defines.
    namespace: dict = {}
    for block in blocks:
        exec(compile(textwrap.dedent(block), "README.md", "exec"), namespace)

    assert "Allow:" in capsys.readouterr().out


def test_ci_runs_readme_test_command():
    commands = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)
    ci_script = (REPO / ".ci" / "run").read_text()

    assert len(commands) >= 2
    assert commands[1] in ci_script.splitlines()


def test_readme_first_command_installs_without_editable_mode():
    first = re.findall(r"```sh\n(.*?)\n```", README, re.DOTALL)[0]
    assert "pip install . " in first
    assert "-e" not in first.split()
