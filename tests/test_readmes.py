"""The READMEs' command blocks run as written.

After `git clone` a machine needs only Python and make: the template's READMEs may run `make`,
`pip` and the `cookiecutter` that pip installs, every make target they name exists, and the two
commands the README promises are the ones CI runs. A rendered project's README names only
targets its own Makefile has.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import TEMPLATE_ROOT

TEMPLATE_READMES = ("README.md", "docs/README.md")
# What a machine with only Python and make can run (cookiecutter once pip has installed it).
FIRST_WORDS = {"make", "pip", "cookiecutter"}


def bash_blocks(markdown: str) -> list[list[str]]:
    """The command lines of each ```bash block: comments dropped, continued lines joined."""
    blocks = re.findall(r"^```bash\n(.*?)^```", markdown, re.MULTILINE | re.DOTALL)
    commands = []
    for block in blocks:
        joined = re.sub(r"\s*\\\n\s*", " ", block)
        lines = (line.split(" #")[0].strip() for line in joined.splitlines())
        commands.append([line for line in lines if line and not line.startswith("#")])
    return commands


def make_targets(makefile: Path) -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", makefile.read_text(encoding="utf-8"), re.MULTILINE))


def named_targets(command: str) -> list[str]:
    """The targets of a `make` command (`make try OPTIONS=...` names `try`)."""
    words = command.split()
    return [word for word in words[1:] if "=" not in word and not word.startswith("-")]


def readme_make_commands(project: Path) -> list[str]:
    """The `make` commands of a project README's bash blocks."""
    markdown = (project / "README.md").read_text(encoding="utf-8")
    blocks = bash_blocks(markdown)
    return [command for block in blocks for command in block if command.split()[0] == "make"]


def test_bash_blocks_reads_commands_not_comments() -> None:
    markdown = "```bash\n# note\nmake demo   # serve\nmake try \\\n  OPTIONS=x\n```\n"
    assert bash_blocks(markdown) == [["make demo", "make try OPTIONS=x"]]


def test_two_commands_are_the_makefiles_demo_and_test_and_ci_runs_the_test() -> None:
    readme = (TEMPLATE_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Two commands", 1)[1]
    assert bash_blocks(section)[0] == ["make demo", "make test"]
    assert {"demo", "test"} <= make_targets(TEMPLATE_ROOT / "Makefile")
    ci = (TEMPLATE_ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    assert "make test" in [line.strip() for line in ci]


@pytest.mark.parametrize("readme", TEMPLATE_READMES)
def test_template_readme_commands_need_only_python_and_make(readme: str) -> None:
    """No uv, no placeholder such as <org> (a shell redirection), no missing make target."""
    targets = make_targets(TEMPLATE_ROOT / "Makefile")
    markdown = (TEMPLATE_ROOT / readme).read_text(encoding="utf-8")
    commands = [command for block in bash_blocks(markdown) for command in block]
    assert commands
    for command in commands:
        assert command.split()[0] in FIRST_WORDS, command
        assert not set(command) & {"<", ">"}, command
        if command.startswith("make"):
            assert set(named_targets(command)) <= targets, command
