"""Unit tests of the hooks' functions, imported straight from the unrendered hook files."""

from __future__ import annotations

import base64
import json
import shutil
import stat
import sys
from pathlib import Path

import pytest
from conftest import TEMPLATE_ROOT, load_hook
from variants import DEFAULTS, MANIFEST, MANIFEST_PATH

TEMPLATE_PROJECT = TEMPLATE_ROOT / "{{cookiecutter.project_slug}}"
TEMPLATE_PACKAGE = "{{cookiecutter.package_name}}"


pre = load_hook("pre_gen_project")
post = load_hook("post_gen_project")


def touch(root: Path, *paths: str) -> None:
    """Create empty files (and their folders) under root."""
    for path in paths:
        target = root / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch()


# pre_gen_project


def test_defaults_pass_every_check() -> None:
    """The template's own defaults are accepted."""
    assert pre.validate(dict(DEFAULTS)) == []


def test_rendered_answers_cover_every_option() -> None:
    """The pre-hook gathers exactly the options cookiecutter.json declares."""
    options = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    public = {key for key in options if not key.startswith("_")}
    assert set(pre.RENDERED_ANSWERS) == public
    assert set(DEFAULTS) == public


def test_choices_match_cookiecutter_json() -> None:
    """The pre-hook accepts exactly the choices cookiecutter.json offers."""
    options = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
    for option, allowed in pre.CHOICES.items():
        assert list(allowed) == options[option]
    assert all(isinstance(options[option], bool) for option in pre.BOOLEAN_OPTIONS)


def test_load_answers_decodes_json_rendering() -> None:
    """Rendered answers decode with their types, whatever quotes or backslashes they hold."""
    rendered = {"name": '"Say \\"hi\\" \\\\o/" ', "use_auth": "false ", "n": "3 "}
    assert pre.load_answers(rendered) == {"name": 'Say "hi" \\o/', "use_auth": False, "n": 3}


@pytest.mark.parametrize(
    ("use_auth", "use_redis", "effective"),
    [(True, True, True), (True, False, False), (False, True, False), (False, False, False)],
)
def test_use_redis_counts_only_with_auth(use_auth: bool, use_redis: bool, effective: bool) -> None:
    """Without use_auth, use_redis counts as false; every other answer is kept as given."""
    answers = {**DEFAULTS, "use_auth": use_auth, "use_redis": use_redis}
    assert post.effective_answers(answers) == {**answers, "use_redis": effective}
    assert pre.validate({**DEFAULTS, "use_auth": use_auth, "use_redis": use_redis}) == []


def test_ignored_redis_answer_gets_a_one_line_note() -> None:
    """use_redis=y with use_auth=n is noted on one line naming both; other pairs say nothing."""
    note = post.ignored_answers_note({"use_auth": False, "use_redis": True})
    assert note is not None
    assert "\n" not in note
    assert "use_redis=True is ignored" in note
    assert "use_auth=False" in note
    assert post.ignored_answers_note({"use_auth": True, "use_redis": True}) is None
    assert post.ignored_answers_note({"use_auth": False, "use_redis": False}) is None


def test_kubernetes_needs_docker() -> None:
    """use_kubernetes=y with use_docker=n is refused, naming use_kubernetes and the fix."""
    [error] = pre.check_kubernetes_needs_docker(True, False)
    assert error.startswith("use_kubernetes=True: ")
    assert "use_docker=y" in error
    assert pre.check_kubernetes_needs_docker(True, True) == []
    assert pre.check_kubernetes_needs_docker(False, False) == []
    assert pre.check_kubernetes_needs_docker(False, True) == []


def test_kubernetes_needs_a_database_server() -> None:
    """use_kubernetes=y with database=sqlite is refused (replicas cannot share one file)."""
    [error] = pre.check_kubernetes_needs_a_server_database(True, "sqlite")
    assert error.startswith("use_kubernetes=True: ")
    assert "SQLite" in error
    assert "database=postgresql" in error
    assert pre.check_kubernetes_needs_a_server_database(True, "postgresql") == []
    assert pre.check_kubernetes_needs_a_server_database(False, "sqlite") == []


def test_kubernetes_refusals_reach_validate() -> None:
    """validate() runs both Kubernetes checks: each bad pairing gives one line."""
    answers = {**DEFAULTS, "use_kubernetes": True, "use_docker": False, "database": "sqlite"}
    errors = pre.validate(answers)
    assert [error.split("=")[0] for error in errors] == ["use_kubernetes", "use_kubernetes"]
    assert pre.validate({**DEFAULTS, "use_kubernetes": True}) == []


def test_validate_reports_every_error_at_once() -> None:
    """Several bad answers produce one message each, in one pass."""
    answers = {**DEFAULTS, "project_slug": "Bad Slug", "version": "latest", "database": "mysql"}
    errors = pre.validate(answers)
    assert [error.split("=")[0] for error in errors] == ["project_slug", "version", "database"]


def test_messages_name_option_value_reason_and_fix() -> None:
    """A refusal reads '<option>=<value>: why. fix.'"""
    [error] = pre.check_version("latest")
    assert error.startswith("version='latest': ")
    why, fix = error.split(": ", 1)[1].split(". ", 1)
    assert why
    assert fix.endswith(".")


@pytest.mark.parametrize("name", ["", "   ", None])
def test_project_name_must_not_be_empty(name: object) -> None:
    """An empty or blank project name is refused."""
    assert pre.check_project_name(name)


@pytest.mark.parametrize("text", ["Kitsune", "Zoë O'Brien", "Bob's orders, façade & all"])
def test_text_accepts_ordinary_prose(text: str) -> None:
    """Apostrophes, ampersands and non-ASCII letters are fine in free text."""
    assert pre.check_text("description", text) == []


@pytest.mark.parametrize("text", ['Say "hi"', "C:\\path", "two\nlines", "tab\there"])
def test_text_refuses_string_breakers(text: str) -> None:
    """Double quotes, backslashes and control characters in free text are refused."""
    [error] = pre.check_text("description", text)
    assert error.startswith("description=")


@pytest.mark.parametrize("slug", ["kitsune", "kitsune-service", "svc2", "a1-b2-c3"])
def test_slug_accepts_lowercase_hyphenated(slug: str) -> None:
    """Lowercase letters, digits and single hyphens make a slug."""
    assert pre.check_project_slug(slug) == []


@pytest.mark.parametrize(
    "slug", ["", "a", "Kitsune", "my service", "my_service", "-svc", "svc-", "my--svc", "9lives"]
)
def test_slug_refuses_malformed(slug: str) -> None:
    """Uppercase, spaces, underscores, edge or double hyphens and leading digits are refused."""
    [error] = pre.check_project_slug(slug)
    assert error.startswith("project_slug=")


@pytest.mark.parametrize(
    ("option", "value", "suggestion"),
    [
        ("project_slug", "Zoë Service", "project_slug=zoe-service"),
        ("project_slug", "my--svc", "project_slug=my-svc"),
        ("project_slug", "---", "project_slug=my-service"),
        ("package_name", "Order-Desk", "package_name=order_desk"),
        ("package_name", "", "package_name=my_service"),
    ],
)
def test_malformed_names_get_a_valid_suggestion(option: str, value: str, suggestion: str) -> None:
    """A refused slug or package name comes with a valid ASCII spelling to pass instead."""
    check = pre.check_project_slug if option == "project_slug" else pre.check_package_name
    [error] = check(value)
    assert error.endswith(f"Pass {suggestion}.")
    assert check(suggestion.split("=", 1)[1]) == []


@pytest.mark.parametrize("package", ["kitsune_service", "fox", "svc2", "_private", "match"])
def test_package_accepts_lowercase_identifiers(package: str) -> None:
    """Lowercase identifiers that shadow nothing are accepted (soft keywords included)."""
    assert pre.check_package_name(package) == []


@pytest.mark.parametrize(
    ("package", "reason"),
    [
        ("my-service", "identifier"),
        ("My_Service", "identifier"),
        ("2fast", "identifier"),
        ("", "identifier"),
        ("___", "identifier"),
        ("class", "keyword"),
        ("import", "keyword"),
        ("json", "standard library"),
        ("secrets", "standard library"),
        ("logging", "standard library"),
        ("fastapi", "dependency"),
        ("jwt", "dependency"),
        ("pydantic_settings", "dependency"),
        ("tests", "dependency"),
        ("migrations", "dependency"),
    ],
)
def test_package_refuses_unusable_names(package: str, reason: str) -> None:
    """Non-identifiers, keywords and names shadowing a module are refused, saying which."""
    [error] = pre.check_package_name(package)
    assert error.startswith("package_name=")
    assert reason in error


@pytest.mark.parametrize("email", ["you@example.com", "a.b+c@mail.example.co.uk"])
def test_email_accepts_addresses(email: str) -> None:
    """Ordinary addresses are accepted."""
    assert pre.check_author_email(email) == []


@pytest.mark.parametrize(
    "email", ["", "you", "you@example", "you@@example.com", "a b@example.com", 'a"b@example.com']
)
def test_email_refuses_non_addresses(email: str) -> None:
    """Strings that are not one plain address are refused."""
    assert pre.check_author_email(email)


@pytest.mark.parametrize(
    "version", ["0.1.0", "1.0", "1", "2.0.0rc1", "1.0a2", "1.2.post1", "0.1.0.dev3", "1!2.0"]
)
def test_version_accepts_pep440(version: str) -> None:
    """Common PEP 440 public versions are accepted."""
    assert pre.check_version(version) == []


@pytest.mark.parametrize("version", ["", "latest", "v1.0", "1.0-beta", "01.0", "1.0+local"])
def test_version_refuses_non_pep440(version: str) -> None:
    """Tags, prefixes, leading zeros and local versions are refused."""
    assert pre.check_version(version)


@pytest.mark.parametrize(
    ("option", "value"),
    [
        ("python_version", "3.10"),
        ("python_version", 3.12),
        ("database", "mysql"),
        ("database", "PostgreSQL"),
        ("ci", "gitlab"),
        ("license", "GPL-3.0"),
    ],
)
def test_choice_refuses_unknown_values(option: str, value: object) -> None:
    """A value outside the option's choices is refused, naming the option."""
    [error] = pre.check_choice(option, value, pre.CHOICES[option])
    assert error.startswith(f"{option}=")


@pytest.mark.parametrize("value", [True, False])
def test_boolean_accepts_booleans(value: bool) -> None:
    """Real booleans are accepted."""
    assert pre.check_boolean("use_auth", value) == []


@pytest.mark.parametrize("value", ["y", "no", "True", "maybe", "", 1, None])
def test_boolean_refuses_everything_else(value: object) -> None:
    """Strings (even y/n: Jinja finds any non-empty string true), numbers and None are refused."""
    [error] = pre.check_boolean("use_docker", value)
    assert error.startswith("use_docker=")


def test_yes_no_string_gets_its_own_fix() -> None:
    """A y/n-like string is told to become a real boolean, not to be a yes/no answer."""
    [error] = pre.check_boolean("use_auth", "n")
    assert "true or false" in error


def test_pre_main_prints_all_errors_to_stderr(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() prints one line per refusal to stderr and returns 1."""
    rendered = {key: json.dumps(value) + " " for key, value in DEFAULTS.items()}
    rendered["ci"] = '"gitlab" '
    rendered["use_auth"] = '"maybe" '
    monkeypatch.setattr(pre, "RENDERED_ANSWERS", rendered)
    assert pre.main() == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    *refusals, start_over = captured.err.splitlines()
    assert [line.split("=")[0] for line in refusals] == ["ci", "use_auth"]
    assert start_over == pre.START_OVER


def test_pre_main_is_silent_on_success(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """main() prints nothing and returns 0 for good answers."""
    rendered = {key: json.dumps(value) + " " for key, value in DEFAULTS.items()}
    monkeypatch.setattr(pre, "RENDERED_ANSWERS", rendered)
    assert pre.main() == 0
    assert capsys.readouterr() == ("", "")


# post_gen_project


COOKIECUTTER_JSON = json.loads((TEMPLATE_ROOT / "cookiecutter.json").read_text(encoding="utf-8"))
FEATURES: dict[str, list[str]] = MANIFEST["features"]
ALTERNATIVES: list[dict[str, str]] = MANIFEST["alternatives"]
# Answers with every feature on (and the first file of each alternative chosen).
ALL_ON: dict[str, object] = {
    **DEFAULTS,
    "package_name": "svc",
    "use_opentelemetry": True,
    "use_kubernetes": True,
    "database": "postgresql",
}


def in_svc(paths: list[str]) -> list[str]:
    return [path.format(package="svc") for path in paths]


def test_manifest_paths_exist_in_template() -> None:
    """Every file the manifest names, features and both files of each alternative, exists."""
    listed = [path for paths in FEATURES.values() for path in paths] + [
        alternative[key] for alternative in ALTERNATIVES for key in ("path", "otherwise")
    ]
    paths = [path.format(package=TEMPLATE_PACKAGE) for path in listed]
    assert [path for path in paths if not (TEMPLATE_PROJECT / path).exists()] == []


def test_manifest_conditions_name_real_answers() -> None:
    """Each condition names an option of cookiecutter.json, and a value it offers."""
    conditions = [*FEATURES, *(alternative["when"] for alternative in ALTERNATIVES)]
    for condition in conditions:
        option, equals, value = condition.partition("=")
        offered = COOKIECUTTER_JSON[option]
        assert (value in offered) if equals else isinstance(offered, bool), condition


def test_manifest_lists_each_file_once() -> None:
    """No file belongs to two features, or to a feature and an alternative."""
    listed = [path for paths in FEATURES.values() for path in paths] + [
        alternative[key] for alternative in ALTERNATIVES for key in ("path", "otherwise")
    ]
    assert sorted(path for path in set(listed) if listed.count(path) > 1) == []


@pytest.mark.parametrize(
    ("condition", "answers", "expected"),
    [
        ("use_auth", {"use_auth": True}, True),
        ("use_auth", {"use_auth": False}, False),
        ("ci=github", {"ci": "github"}, True),
        ("ci=github", {"ci": "none"}, False),
    ],
)
def test_holds_reads_an_option_or_an_option_value(
    condition: str, answers: dict[str, object], expected: bool
) -> None:
    assert post.holds(condition, answers) is expected


@pytest.mark.parametrize("condition", list(FEATURES))
def test_remove_disabled_features_removes_exactly_that_features_files(
    tmp_path: Path, condition: str
) -> None:
    """Turning one feature off deletes its files and keeps every other feature's."""
    touch(tmp_path, *in_svc([path for paths in FEATURES.values() for path in paths]))
    option = condition.partition("=")[0]
    answers = {**ALL_ON, option: False if isinstance(ALL_ON[option], bool) else "none"}

    removed = post.remove_disabled_features(tmp_path, FEATURES, answers)

    assert sorted(removed) == sorted(tmp_path / path for path in in_svc(FEATURES[condition]))
    others = [path for other, paths in FEATURES.items() if other != condition for path in paths]
    assert [path for path in in_svc(others) if not (tmp_path / path).exists()] == []


def test_remove_refuses_missing_path_before_deleting(tmp_path: Path) -> None:
    """A listed path that does not exist raises, naming it, and nothing is deleted."""
    touch(tmp_path, "Dockerfile", "compose.yaml")
    with pytest.raises(FileNotFoundError, match=r"\.dockerignore"):
        post.remove_paths(tmp_path, ["Dockerfile", ".dockerignore", "compose.yaml"])
    assert (tmp_path / "Dockerfile").exists()
    assert (tmp_path / "compose.yaml").exists()


@pytest.mark.parametrize("condition_holds", [True, False])
@pytest.mark.parametrize("alternative", ALTERNATIVES, ids=lambda alternative: alternative["when"])
def test_keep_alternatives_keeps_the_answers_file_under_the_first_name(
    tmp_path: Path, alternative: dict[str, str], condition_holds: bool
) -> None:
    """When the condition holds the first file stays and the other goes; when not, the other
    takes the first one's name."""
    path, otherwise = in_svc([alternative["path"], alternative["otherwise"]])
    touch(tmp_path, path)
    (tmp_path / path).write_text("first")
    (tmp_path / otherwise).write_text("otherwise")
    option, equals, value = alternative["when"].partition("=")
    answer = (value if equals else True) if condition_holds else ("other" if equals else False)
    answers = {**ALL_ON, option: answer}

    post.keep_alternatives(tmp_path, [alternative], answers)

    assert (tmp_path / path).read_text() == ("first" if condition_holds else "otherwise")
    assert not (tmp_path / otherwise).exists()


def test_keep_alternatives_refuses_a_missing_file_before_changing_anything(
    tmp_path: Path,
) -> None:
    """A renamed file of a pair fails loudly, and nothing has been moved or deleted."""
    otherwise = in_svc([ALTERNATIVES[0]["otherwise"]])[0]
    touch(tmp_path, otherwise)
    with pytest.raises(FileNotFoundError, match="renamed"):
        post.keep_alternatives(tmp_path, ALTERNATIVES, {**ALL_ON, "use_auth": False})
    assert (tmp_path / otherwise).exists()


def write_whole_template(root: Path) -> None:
    """Every file the manifest names, and the manifest itself, as in a fresh render."""
    listed = [path for paths in FEATURES.values() for path in paths] + [
        alternative[key] for alternative in ALTERNATIVES for key in ("path", "otherwise")
    ]
    files = [path for path in listed if not (TEMPLATE_PROJECT / path).is_dir()]
    folders = [".github/workflows/ci.yml", "deploy/kubernetes/base/kustomization.yaml"]
    touch(root, *in_svc(files), *folders, "src/svc/main.py")
    shutil.copy(MANIFEST_PATH, root / post.MANIFEST)


def test_shape_project_deletes_the_manifest(tmp_path: Path) -> None:
    """The manifest is the template's, not the project's: it does not survive the hook."""
    write_whole_template(tmp_path)
    post.shape_project(tmp_path, ALL_ON)
    assert not (tmp_path / post.MANIFEST).exists()
    assert (tmp_path / "src/svc/main.py").exists()


def test_remove_empty_dirs_keeps_root_and_non_empty(tmp_path: Path) -> None:
    """Empty folders go, deepest first; folders with files and the root stay."""
    (tmp_path / "a/b/c").mkdir(parents=True)
    touch(tmp_path, "keep/file.py")
    removed = post.remove_empty_dirs(tmp_path)
    assert removed == [tmp_path / "a/b/c", tmp_path / "a/b", tmp_path / "a"]
    assert (tmp_path / "keep/file.py").exists()
    assert post.remove_empty_dirs(tmp_path / "keep") == []


def test_write_env_file_fills_secret_key(tmp_path: Path) -> None:
    """.env is .env.example with only the empty SECRET_KEY line filled."""
    example = "# comment\nENVIRONMENT=development\nSECRET_KEY=\nLOG_LEVEL=INFO\n"
    (tmp_path / ".env.example").write_text(example, encoding="utf-8")
    assert post.write_env_file(tmp_path, token="t0ken") == tmp_path / ".env"
    assert (tmp_path / ".env").read_text(encoding="utf-8") == example.replace(
        "SECRET_KEY=\n", "SECRET_KEY=t0ken\n"
    )
    assert (tmp_path / ".env.example").read_text(encoding="utf-8") == example


def test_write_env_file_generates_long_random_secret(tmp_path: Path) -> None:
    """Without a token, SECRET_KEY gets 48 random bytes, URL-safe (64 characters)."""
    (tmp_path / ".env.example").write_text("SECRET_KEY=\n", encoding="utf-8")
    post.write_env_file(tmp_path)
    line = (tmp_path / ".env").read_text(encoding="utf-8").strip()
    secret = line.removeprefix("SECRET_KEY=")
    assert len(secret) == 64
    assert secret.replace("-", "").replace("_", "").isalnum()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_write_env_file_is_owner_only(tmp_path: Path) -> None:
    """.env holds a secret, so only its owner can read it."""
    (tmp_path / ".env.example").write_text("SECRET_KEY=\n", encoding="utf-8")
    post.write_env_file(tmp_path)
    assert stat.S_IMODE((tmp_path / ".env").stat().st_mode) == 0o600


def test_write_env_file_keeps_existing_env(tmp_path: Path) -> None:
    """An existing .env is left alone, so regenerating never rotates a secret in use."""
    (tmp_path / ".env.example").write_text("SECRET_KEY=\n", encoding="utf-8")
    (tmp_path / ".env").write_text("SECRET_KEY=mine\n", encoding="utf-8")
    assert post.write_env_file(tmp_path) is None
    assert (tmp_path / ".env").read_text(encoding="utf-8") == "SECRET_KEY=mine\n"


@pytest.mark.parametrize(
    "example", ["ENVIRONMENT=development\n", "SECRET_KEY=set\n", "SECRET_KEY=\nSECRET_KEY=\n"]
)
def test_write_env_file_needs_one_empty_slot(tmp_path: Path, example: str) -> None:
    """Without exactly one empty SECRET_KEY= line there is nothing safe to fill: it raises."""
    (tmp_path / ".env.example").write_text(example, encoding="utf-8")
    with pytest.raises(ValueError, match="SECRET_KEY="):
        post.write_env_file(tmp_path)
    assert not (tmp_path / ".env").exists()


def test_write_env_file_fills_mfa_key_when_its_line_is_there(tmp_path: Path) -> None:
    """An empty MFA_ENCRYPTION_KEYS= line gets a fresh Fernet-format key (32 random bytes)."""
    (tmp_path / ".env.example").write_text("SECRET_KEY=\nMFA_ENCRYPTION_KEYS=\n", encoding="utf-8")
    post.write_env_file(tmp_path)
    lines = (tmp_path / ".env").read_text(encoding="utf-8").splitlines()
    [key] = [line.removeprefix("MFA_ENCRYPTION_KEYS=") for line in lines if "MFA" in line]
    assert len(base64.urlsafe_b64decode(key)) == 32
    assert key != post.new_fernet_key()


def test_template_env_example_has_empty_secret_slot() -> None:
    """The template's .env.example has exactly one empty SECRET_KEY= line."""
    lines = (TEMPLATE_PROJECT / ".env.example").read_text(encoding="utf-8").splitlines()
    assert lines.count("SECRET_KEY=") == 1
    assert [line for line in lines if line.startswith("SECRET_KEY=")] == ["SECRET_KEY="]


@pytest.mark.parametrize("use_docker", [True, False])
def test_next_steps_postgresql_mentions_database(use_docker: bool) -> None:
    """PostgreSQL projects are told which database must exist; Docker ones about compose."""
    text = post.next_steps(
        project_slug="svc",
        package_name="svc",
        database="postgresql",
        use_redis=False,
        use_docker=use_docker,
        use_auth=False,
        use_kubernetes=False,
    )
    assert "createdb -h 127.0.0.1 -U postgres svc" in text
    assert ("docker compose up" in text) is use_docker
    assert ("POSTGRES_PASSWORD" in text) is use_docker
    assert "Redis" not in text


@pytest.mark.parametrize(("use_auth", "use_kubernetes"), [(True, True), (False, False)])
def test_next_steps_name_the_mail_inbox_and_the_deployment_guide(
    use_auth: bool, use_kubernetes: bool
) -> None:
    """With compose and auth, where the mail goes (Mailpit's inbox); with Kubernetes, the
    deployment guide."""
    text = post.next_steps(
        project_slug="svc",
        package_name="svc",
        database="postgresql",
        use_redis=True,
        use_docker=True,
        use_auth=use_auth,
        use_kubernetes=use_kubernetes,
    )
    assert ("http://127.0.0.1:8025" in text) is use_auth
    assert ("docs/DEPLOYMENT.md" in text) is use_kubernetes


def test_next_steps_redis_mentions_redis_url() -> None:
    """Redis projects are told Redis must answer at REDIS_URL."""
    text = post.next_steps(
        project_slug="svc",
        package_name="svc",
        database="sqlite",
        use_redis=True,
        use_docker=False,
        use_auth=True,
        use_kubernetes=False,
    )
    assert "REDIS_URL" in text
    assert "docker" not in text


def test_next_steps_lists_commands_in_order() -> None:
    """Next steps go cd, make install, make migrate, make run, then the docs URL."""
    text = post.next_steps(
        project_slug="svc",
        package_name="svc",
        database="sqlite",
        use_redis=False,
        use_docker=False,
        use_auth=False,
        use_kubernetes=False,
    )
    markers = ["cd svc", "make install", "make migrate", "make run", "http://127.0.0.1:8000/docs"]
    positions = [text.index(marker) for marker in markers]
    assert positions == sorted(positions)
    assert "PostgreSQL" not in text


@pytest.mark.parametrize(
    ("answers", "gone", "kept"),
    [
        (
            {
                "use_auth": False,
                "use_redis": False,
                "use_prometheus": True,
                "use_opentelemetry": False,
                "use_docker": True,
                "use_kubernetes": True,
                "ci": "github",
            },
            ["src/svc/core/security.py", "src/svc/core/tracing.py"],
            [
                "Dockerfile",
                ".github/workflows/ci.yml",
                "src/svc/api/metrics.py",
                "deploy/kubernetes",
                "docs/DEPLOYMENT.md",
            ],
        ),
        (
            {
                "use_auth": True,
                "use_redis": True,
                "use_prometheus": False,
                "use_opentelemetry": True,
                "use_docker": False,
                "use_kubernetes": False,
                "ci": "none",
            },
            [
                "Dockerfile",
                ".github",
                "src/svc/api/metrics.py",
                "tests/api/test_metrics.py",
                "deploy/kubernetes",
                "docs/DEPLOYMENT.md",
            ],
            ["src/svc/core/security.py", "src/svc/core/tracing.py"],
        ),
    ],
    ids=["noauth", "nodocker-noci-noprometheus"],
)
def test_post_main_applies_answers(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    answers: dict[str, object],
    gone: list[str],
    kept: list[str],
) -> None:
    """main() removes exactly the disabled features, writes .env and prints next steps."""
    write_whole_template(tmp_path)
    (tmp_path / ".env.example").write_text("SECRET_KEY=\n", encoding="utf-8")
    full = {"project_slug": "svc", "package_name": "svc", "database": "sqlite", **answers}
    rendered = {key: json.dumps(value) + " " for key, value in full.items()}
    monkeypatch.setattr(post, "RENDERED_ANSWERS", rendered)
    assert post.main(tmp_path) == 0
    assert [path for path in gone if (tmp_path / path).exists()] == []
    assert [path for path in kept if not (tmp_path / path).exists()] == []
    assert (tmp_path / ".env").exists()
    assert "make run" in capsys.readouterr().out
