"""Fast tier: every supported variant renders cleanly and lints; refused answers leave nothing.

Each FAST variant is baked once per module (pytest-cookies) and checked from several angles; the
INVALID answers go through the in-process API, the command line and a replay file.
"""

from __future__ import annotations

import ast
import io
import json
import re
import shutil
import subprocess
import sys
import tokenize
import tomllib
from pathlib import Path
from typing import NamedTuple

import pytest
import yaml
from conftest import TEMPLATE_ROOT, RunCookiecutter
from cookiecutter.generate import generate_context
from cookiecutter.prompt import prompt_for_config
from test_readmes import make_targets, named_targets, readme_make_commands
from variants import (
    ALTERNATIVE_FILES,
    FAST_VARIANTS,
    GENERATED_FILES,
    HOOK_REMOVED_FILES,
    INVALID_ANSWERS,
    answers_for,
    feature_files,
    invalid_id,
)

TEMPLATE_PROJECT = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}"
# Files every variant must have (a sample; the exact-set test covers the rest).
ALWAYS_PATHS = (
    "pyproject.toml",
    "README.md",
    "Makefile",
    "alembic.ini",
    ".env.example",
    ".env",
    ".gitignore",
    "LICENSE",
    "migrations/env.py",
    "src/{package}/main.py",
    "tests/conftest.py",
)
COOKIECUTTER_JSON = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
# Options whose command-line junk cookiecutter refuses itself: choices (lists) and booleans.
COOKIECUTTER_CHECKED = {
    option for option, default in COOKIECUTTER_JSON.items() if isinstance(default, list | bool)
}
LEFTOVER_JINJA = ("{{ cookiecutter.", "{{cookiecutter.", "{%", "%}")
LICENSE_MARKERS = {
    "MIT": "Permission is hereby granted, free of charge",
    "Apache-2.0": "Apache License",
    "Proprietary": "All rights reserved",
}


class Bake(NamedTuple):
    """One baked variant: its full answers and where the project landed."""

    answers: dict[str, object]
    path: Path


def ruff(*args: str) -> list[str]:
    """The command running the ruff installed next to these tests (not whatever is on PATH)."""
    found = shutil.which("ruff", path=str(Path(sys.executable).parent))
    return [found, *args] if found else [sys.executable, "-m", "ruff", *args]


def project_files(root: Path) -> list[Path]:
    """Every file in a baked project, skipping caches."""
    return [
        path
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and ".ruff_cache" not in path.parts
    ]


def expected(paths: tuple[str, ...], package: object) -> list[str]:
    """Format the {package} placeholder in a path list."""
    return [path.format(package=package) for path in paths]


def expected_files(answers: dict[str, object]) -> set[str]:
    """The template's files, minus those of disabled features, plus those the hook writes."""
    package = answers["package_name"]
    rendered = {
        path.relative_to(TEMPLATE_PROJECT)
        .as_posix()
        .replace("{{cookiecutter.package_name}}", str(package))
        for path in project_files(TEMPLATE_PROJECT)
    }
    for enabled, paths in feature_files(answers).values():
        if not enabled:
            rendered = {file for file in rendered if not under(file, expected(paths, package))}
    rendered -= {*expected(ALTERNATIVE_FILES, package), *HOOK_REMOVED_FILES}
    return rendered | set(GENERATED_FILES)


def under(file: str, paths: list[str]) -> bool:
    """Whether a file is one of paths, or inside a folder among them."""
    return any(file == path or file.startswith(f"{path}/") for path in paths)


@pytest.fixture(scope="module", params=list(FAST_VARIANTS), ids=str)
def bake(request: pytest.FixtureRequest, cookies_session) -> Bake:
    """Bake one FAST variant and return its answers and project path."""
    extra_context = FAST_VARIANTS[request.param]
    result = cookies_session.bake(extra_context=extra_context, template=str(TEMPLATE_ROOT))
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return Bake(answers_for(extra_context), result.project_path)


# Supported variants


def test_bake_uses_expected_folder(bake: Bake) -> None:
    """The project folder is named after the slug."""
    assert bake.path.name == bake.answers["project_slug"]
    assert (bake.path / "src" / str(bake.answers["package_name"])).is_dir()


def test_no_jinja_left_behind(bake: Bake) -> None:
    """No text file keeps an unrendered cookiecutter expression or Jinja tag."""
    leftovers = []
    for path in project_files(bake.path):
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue  # binary
        leftovers += [
            f"{path.relative_to(bake.path)}:{number}: {line.strip()}"
            for number, line in enumerate(text.splitlines(), start=1)
            if any(marker in line for marker in LEFTOVER_JINJA)
        ]
    assert leftovers == []


# Words that describe authentication; a variant without it must not speak of them.
AUTH_PROSE = re.compile(
    r"authenticat|\baudit|bearer|\blog ?in\b|access token|refresh token|principal|\bmfa\b",
    re.IGNORECASE,
)


def prose(source: str) -> list[tuple[int, str]]:
    """The comments and docstrings of a Python module, with their line numbers."""
    found = [
        (token.start[0], token.string)
        for token in tokenize.generate_tokens(io.StringIO(source).readline)
        if token.type == tokenize.COMMENT
    ]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            docstring = ast.get_docstring(node, clean=False)
            if docstring:
                found.append((getattr(node, "lineno", 1), docstring))
    return found


def test_without_auth_no_prose_describes_authentication(bake: Bake) -> None:
    """With use_auth=n, no comment or docstring speaks of logins, tokens or the audit log."""
    if bake.answers["use_auth"]:
        pytest.skip("the variant has authentication")
    mentions = [
        f"{path.relative_to(bake.path)}:{line}: {match.group(0)}"
        for path in project_files(bake.path)
        if path.suffix == ".py"
        for line, text in prose(path.read_text(encoding="utf-8"))
        for match in AUTH_PROSE.finditer(text)
    ]
    assert mentions == []


def test_no_empty_folders(bake: Bake) -> None:
    """The post-generation hook leaves no empty folder behind."""
    empty = [p for p in bake.path.rglob("*") if p.is_dir() and not any(p.iterdir())]
    assert empty == []


@pytest.mark.parametrize(
    "command",
    [("check", "--output-format", "concise"), ("format", "--check")],
    ids=["ruff-check", "ruff-format"],
)
def test_ruff_passes(bake: Bake, command: tuple[str, ...]) -> None:
    """The baked project passes its own ruff lint and format check."""
    completed = subprocess.run(
        ruff(*command, "--no-cache", "."),
        cwd=bake.path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr


def check_workflow(path: Path) -> subprocess.CompletedProcess[str]:
    """Validate a GitHub workflow against the schema check-jsonschema ships (no network)."""
    return check_against_builtin_schema("vendor.github-workflows", path)


def check_against_builtin_schema(schema: str, path: Path) -> subprocess.CompletedProcess[str]:
    """Validate a file against one of the schemas check-jsonschema ships (no network)."""
    found = shutil.which("check-jsonschema", path=str(Path(sys.executable).parent))
    assert found, "check-jsonschema is part of the template's dev tooling (uv sync)"
    command = [found, "--builtin-schema", schema, str(path)]
    return subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)


def test_readme_make_commands_name_makefile_targets(bake: Bake) -> None:
    """Every `make` command in the project's README names a target its Makefile has."""
    targets = make_targets(bake.path / "Makefile")
    commands = readme_make_commands(bake.path)
    assert "make install" in commands
    assert [command for command in commands if not set(named_targets(command)) <= targets] == []


def test_compose_file_matches_the_compose_specification(bake: Bake) -> None:
    """compose.yaml validates against the Compose Specification's schema (with use_docker)."""
    compose = bake.path / "compose.yaml"
    if not bake.answers["use_docker"]:
        assert not compose.exists()
        return
    completed = check_against_builtin_schema("vendor.compose-spec", compose)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_compose_starts_in_production_with_what_it_is_given(bake: Bake) -> None:
    """migrate and app run in production mode with what production demands and .env lacks:
    mail through compose's Mailpit over STARTTLS (with use_auth) and an https reset link; the
    app is probed on /health/ready and given longer than SHUTDOWN_TIMEOUT to stop."""
    if not bake.answers["use_docker"]:
        pytest.skip("no compose.yaml without use_docker")
    compose = yaml.safe_load((bake.path / "compose.yaml").read_text(encoding="utf-8"))
    services = compose["services"]
    for name in ("migrate", "app"):
        assert services[name]["environment"]["ENVIRONMENT"] == "production"
    environment, app = services["app"]["environment"], services["app"]
    mailpits = [name for name, service in services.items() if "mailpit" in service.get("image", "")]
    if bake.answers["use_auth"]:
        assert mailpits == [environment["SMTP_HOST"]]
        assert "8025" in " ".join(services[mailpits[0]]["ports"])
        assert environment["EMAIL_BACKEND"] == "smtp"
        assert (environment["SMTP_PORT"], environment["SMTP_STARTTLS"]) == ("1025", "true")
        assert environment["PASSWORD_RESET_URL"].startswith("https://")
        assert mailpits[0] in app["depends_on"]
    else:
        assert mailpits == []
        assert "EMAIL_BACKEND" not in environment
    assert "/health/ready" in " ".join(app["healthcheck"]["test"])
    grace = int(app["stop_grace_period"].removesuffix("s"))
    assert int(environment["SHUTDOWN_TIMEOUT"]) < grace <= int(environment["SHUTDOWN_TIMEOUT"]) + 10


def test_python_version_file_names_the_answer(bake: Bake) -> None:
    """.python-version holds the chosen version, so pyenv and uv pick that interpreter."""
    text = (bake.path / ".python-version").read_text(encoding="utf-8")
    assert text == f"{bake.answers['python_version']}\n"


def test_workflows_match_githubs_schema(bake: Bake) -> None:
    """Every rendered GitHub workflow validates against the workflow schema."""
    workflows = sorted((bake.path / ".github" / "workflows").glob("*.yml"))
    assert bool(workflows) == (bake.answers["ci"] == "github")
    for workflow in workflows:
        completed = check_workflow(workflow)
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_template_workflows_match_githubs_schema() -> None:
    """The template repository's own workflows validate too."""
    workflows = sorted((TEMPLATE_ROOT / ".github" / "workflows").glob("*.yml"))
    assert workflows
    for workflow in workflows:
        completed = check_workflow(workflow)
        assert completed.returncode == 0, completed.stdout + completed.stderr


def test_exact_file_set(bake: Bake) -> None:
    """The files are the common ones plus each enabled feature's: nothing more, nothing less."""
    actual = {path.relative_to(bake.path).as_posix() for path in project_files(bake.path)}
    wanted = expected_files(bake.answers)
    assert sorted(actual - wanted) == [], "unexpected files"
    assert sorted(wanted - actual) == [], "missing files"


def test_always_present_files(bake: Bake) -> None:
    """Files every variant needs are there."""
    paths = expected(ALWAYS_PATHS, bake.answers["package_name"])
    assert [path for path in paths if not (bake.path / path).is_file()] == []


@pytest.mark.parametrize(
    "option",
    [
        "use_auth",
        "use_redis",
        "use_prometheus",
        "use_opentelemetry",
        "use_docker",
        "use_kubernetes",
        "ci",
    ],
)
def test_feature_files_follow_option(bake: Bake, option: str) -> None:
    """Each optional feature's files exist exactly when its option enables it."""
    enabled, paths = feature_files(bake.answers)[option]
    listed = expected(paths, bake.answers["package_name"])
    present = [path for path in listed if (bake.path / path).exists()]
    assert present == (listed if enabled else [])


def test_no_docker_or_ci_leftovers(bake: Bake) -> None:
    """ci=none leaves no .github folder; use_docker=n no Docker file at all."""
    if bake.answers["ci"] != "github":
        assert not (bake.path / ".github").exists()
    if not bake.answers["use_docker"]:
        leftovers = [*bake.path.glob("*ocker*"), *bake.path.glob("compose*")]
        assert leftovers == []


def dockerfile_instructions(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) of the Dockerfile's final stage, continuation lines joined."""
    text = re.sub(r"\\\n", " ", path.read_text(encoding="utf-8"))
    lines = [line.strip() for line in text.splitlines()]
    instructions = [tuple(line.split(None, 1)) for line in lines if line and line[0] != "#"]
    stages = [index for index, (name, *_) in enumerate(instructions) if name == "FROM"]
    return [(name, rest) for name, rest in instructions[stages[-1] :]]


def test_service_starts_one_way_and_the_image_runs_in_production(bake: Bake) -> None:
    """`make run`, the image's CMD and compose's app all start `<package> serve`; the image
    sets ENVIRONMENT=production, so it cannot start with weak production settings."""
    serve = [str(bake.answers["package_name"]), "serve"]
    makefile = (bake.path / "Makefile").read_text(encoding="utf-8")
    assert f"uv run {' '.join(serve)} --reload" in makefile
    if not bake.answers["use_docker"]:
        return
    instructions = dockerfile_instructions(bake.path / "Dockerfile")
    environment = [rest.split() for name, rest in instructions if name == "ENV"]
    assert any("ENVIRONMENT=production" in words for words in environment)
    [command] = [json.loads(rest) for name, rest in instructions if name == "CMD"]
    assert command[:2] == serve
    compose = yaml.safe_load((bake.path / "compose.yaml").read_text(encoding="utf-8"))
    assert compose["services"]["app"]["command"][:2] == serve


def test_env_file_has_fresh_secret(bake: Bake) -> None:
    """.env has a long SECRET_KEY; .env.example keeps it empty; .gitignore ignores .env."""
    env = (bake.path / ".env").read_text(encoding="utf-8").splitlines()
    example = (bake.path / ".env.example").read_text(encoding="utf-8").splitlines()
    [secret] = [line.removeprefix("SECRET_KEY=") for line in env if line.startswith("SECRET_KEY=")]
    assert len(secret) >= 32
    assert "SECRET_KEY=" in example
    generated = ("SECRET_KEY=", "MFA_ENCRYPTION_KEYS=")
    assert [line for line in env if not line.startswith(generated)] == [
        line for line in example if not line.startswith(generated)
    ]
    ignored = (bake.path / ".gitignore").read_text(encoding="utf-8").splitlines()
    assert ".env" in ignored


def test_pyproject_matches_answers(bake: Bake) -> None:
    """requires-python, name, version and the database driver follow the answers."""
    project = tomllib.loads((bake.path / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["requires-python"] == f">={bake.answers['python_version']}"
    assert project["name"] == bake.answers["project_slug"]
    assert project["version"] == bake.answers["version"]
    assert project["description"] == bake.answers["description"]
    names = {re.split(r"[\[<>=~! ]", dependency)[0] for dependency in project["dependencies"]}
    driver, other = ("asyncpg", "aiosqlite")
    if bake.answers["database"] == "sqlite":
        driver, other = other, driver
    assert driver in names
    assert other not in names
    assert ("pyjwt" in names) is bake.answers["use_auth"]
    uses_redis = any("redis" in dependency for dependency in project["dependencies"])
    assert uses_redis is bake.answers["use_redis"]
    assert ("prometheus-client" in names) is bake.answers["use_prometheus"]
    assert ("opentelemetry-sdk" in names) is bake.answers["use_opentelemetry"]


def test_env_example_follows_options(bake: Bake) -> None:
    """.env.example names REDIS_URL exactly with use_redis and the right default database URL."""
    example = (bake.path / ".env.example").read_text(encoding="utf-8")
    assert ("REDIS_URL=" in example) is bake.answers["use_redis"]
    scheme = {"postgresql": "postgresql+asyncpg://", "sqlite": "sqlite+aiosqlite://"}
    assert f"DATABASE_URL={scheme[str(bake.answers['database'])]}" in example


def test_ruff_targets_python_version(bake: Bake) -> None:
    """The project's ruff target follows python_version."""
    config = tomllib.loads((bake.path / "pyproject.toml").read_text(encoding="utf-8"))
    target = str(bake.answers["python_version"]).replace(".", "")
    assert config["tool"]["ruff"]["target-version"] == f"py{target}"


def test_license_text_follows_license(bake: Bake) -> None:
    """LICENSE holds the chosen license's text, and only that one."""
    text = (bake.path / "LICENSE").read_text(encoding="utf-8")
    for license_name, marker in LICENSE_MARKERS.items():
        assert (marker in text) is (license_name == bake.answers["license"]), license_name


def test_author_is_credited(bake: Bake) -> None:
    """The author's name and email reach pyproject.toml."""
    project = tomllib.loads((bake.path / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    assert project["authors"] == [
        {"name": bake.answers["author_name"], "email": bake.answers["author_email"]}
    ]


# Refused answers


@pytest.mark.parametrize("case", INVALID_ANSWERS, ids=invalid_id)
def test_invalid_answer_fails_bake(
    case: tuple[dict[str, object], str], cookies, tmp_path: Path
) -> None:
    """The bake fails and no project folder is left behind."""
    extra_context, _option = case
    result = cookies.bake(extra_context=extra_context, template=str(TEMPLATE_ROOT))
    assert result.exit_code != 0
    assert result.exception is not None
    assert list(tmp_path.glob("cookies/bake*/*")) == []


@pytest.mark.parametrize("case", INVALID_ANSWERS, ids=invalid_id)
def test_invalid_answer_on_command_line_names_option(
    case: tuple[dict[str, object], str], run_cookiecutter: RunCookiecutter, tmp_path: Path
) -> None:
    """cookiecutter KEY=VALUE exits non-zero naming the option, leaving no project folder.

    Junk for a choice or yes/no option is refused by cookiecutter itself ("mysql provided for
    choice variable database"), before the pre-generation hook runs; the hook refuses the rest
    with a line starting "<option>=".
    """
    extra_context, option = case
    pairs = [f"{key}={value}" for key, value in extra_context.items()]
    completed = run_cookiecutter("--no-input", str(TEMPLATE_ROOT), *pairs)
    assert completed.returncode != 0
    refused_by_hook = re.search(rf"^{option}=", completed.stderr, re.MULTILINE)
    refused_by_cookiecutter = option in COOKIECUTTER_CHECKED and f"variable {option}" in (
        completed.stderr
    )
    assert refused_by_hook or refused_by_cookiecutter, completed.stderr[-2000:]
    out = tmp_path / "out"
    assert not out.exists() or list(out.iterdir()) == []


@pytest.mark.parametrize("case", INVALID_ANSWERS, ids=invalid_id)
def test_invalid_answer_in_replay_is_refused_by_hook(
    case: tuple[dict[str, object], str], run_cookiecutter: RunCookiecutter, tmp_path: Path
) -> None:
    """A replay file skips cookiecutter's own checks; the hook still refuses as '<option>=...'."""
    extra_context, option = case
    context = generate_context(context_file=str(TEMPLATE_ROOT / "cookiecutter.json"))
    answers = dict(prompt_for_config(context, no_input=True))
    replay = tmp_path / "replay-input.json"
    replay.write_text(json.dumps({"cookiecutter": {**answers, **extra_context}}), encoding="utf-8")
    completed = run_cookiecutter("--replay-file", str(replay), str(TEMPLATE_ROOT))
    assert completed.returncode != 0
    assert re.search(rf"^{option}=", completed.stderr, re.MULTILINE), completed.stderr[-2000:]
    assert "pre_gen_project" in completed.stderr + completed.stdout
    assert "start over without --replay" in completed.stderr
    out = tmp_path / "out"
    assert not out.exists() or list(out.iterdir()) == []


def test_command_line_bake_prints_next_steps(
    run_cookiecutter: RunCookiecutter, tmp_path: Path
) -> None:
    """A successful command-line bake prints the next steps and the docs URL."""
    completed = run_cookiecutter("--no-input", str(TEMPLATE_ROOT), "project_name=Cli Check")
    assert completed.returncode == 0, completed.stderr[-2000:]
    assert "make install" in completed.stdout
    assert "http://127.0.0.1:8000/docs" in completed.stdout
    assert (tmp_path / "out" / "cli-check" / ".env").is_file()


def test_use_auth_no_alone_is_enough_and_redis_is_ignored(
    run_cookiecutter: RunCookiecutter, tmp_path: Path
) -> None:
    """use_auth=n with the default use_redis=y renders, notes on one line that Redis is ignored,
    and gives the very project that use_redis=n gives (only .env's random secret differs)."""
    out = tmp_path / "out"
    alone = run_cookiecutter("--no-input", str(TEMPLATE_ROOT), "use_auth=n")
    assert alone.returncode == 0, alone.stderr[-2000:]
    (out / "kitsune-service").rename(tmp_path / "alone")
    [note] = [line for line in alone.stdout.splitlines() if "use_redis" in line]
    assert note.startswith("Note: use_redis=True is ignored because use_auth=False")
    both = run_cookiecutter("--no-input", str(TEMPLATE_ROOT), "use_auth=n", "use_redis=n")
    assert both.returncode == 0, both.stderr[-2000:]
    assert "use_redis" not in both.stdout

    def contents(root: Path) -> dict[str, bytes]:
        files = [path for path in project_files(root) if path.name != ".env"]
        return {path.relative_to(root).as_posix(): path.read_bytes() for path in files}

    alone_files = contents(tmp_path / "alone")
    assert alone_files == contents(out / "kitsune-service")
    assert not any(b"redis" in text.lower() for text in alone_files.values())


def test_hooks_run_on_this_interpreter_only() -> None:
    """The hooks import only the standard library (cookiecutter runs them with its Python)."""
    for hook in ("pre_gen_project", "post_gen_project"):
        source = (TEMPLATE_ROOT / "hooks" / f"{hook}.py").read_text(encoding="utf-8")
        modules = re.findall(r"^(?:from|import) ([a-zA-Z_][\w]*)", source, re.MULTILINE)
        assert set(modules) <= set(sys.stdlib_module_names) | {"__future__"}, hook
