"""Fast tier: the Kubernetes manifests of every variant with use_kubernetes=y.

No cluster here (and no kubectl or kustomize): each manifest is validated offline, strictly, with
kubernetes-validate against the schemas it ships, and the kustomizations, the Secret's source and
the wiring between objects are read as data.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
import yaml
from conftest import TEMPLATE_ROOT
from variants import FAST_VARIANTS, answers_for

# The oldest Kubernetes the manifests promise to run on (still in managed services' support in
# late 2026), and the newest kubernetes-validate ships: a field too new or an API removed fails.
KUBERNETES_VERSIONS = ("1.33.0", "1.37.0")
DEPLOY = Path("deploy/kubernetes")
PRODUCTION = DEPLOY / "overlays/production"
# Every key of a kustomization that names files or folders relative to it.
KUSTOMIZE_PATH_KEYS = ("resources", "components")
KUSTOMIZE_GENERATORS = ("configMapGenerator", "secretGenerator")
# PostgreSQL's defaults: max_connections, of which superuser_reserved_connections are kept back.
MAX_CONNECTIONS = 100
RESERVED_CONNECTIONS = 3
KUBERNETES_VARIANTS = [name for name, extra in FAST_VARIANTS.items() if extra.get("use_kubernetes")]


class Bake(NamedTuple):
    """One baked variant: its full answers and where the project landed."""

    answers: dict[str, object]
    path: Path


@pytest.fixture(scope="module", params=KUBERNETES_VARIANTS, ids=str)
def bake(request: pytest.FixtureRequest, cookies_session) -> Bake:
    """Bake one FAST variant that has the manifests."""
    extra_context = FAST_VARIANTS[request.param]
    result = cookies_session.bake(extra_context=extra_context, template=str(TEMPLATE_ROOT))
    assert result.exception is None, result.exception
    return Bake(answers_for(extra_context), result.project_path)


def test_some_fast_variants_have_the_manifests() -> None:
    """The tests below run for at least one variant (else they would pass by running nothing)."""
    assert len(KUBERNETES_VARIANTS) >= 2


def manifests(root: Path) -> list[Path]:
    """The Kubernetes objects' files: every YAML file but the kustomizations."""
    return sorted(p for p in (root / DEPLOY).rglob("*.yaml") if p.name != "kustomization.yaml")


def documents(path: Path) -> list[dict[str, Any]]:
    """The YAML documents of a file."""
    return [doc for doc in yaml.safe_load_all(path.read_text(encoding="utf-8")) if doc]


def objects(root: Path) -> dict[str, dict[str, Any]]:
    """Every Kubernetes object of the manifests, by kind (one of each kind is rendered)."""
    found = [doc for path in manifests(root) for doc in documents(path)]
    by_kind = {doc["kind"]: doc for doc in found}
    assert len(by_kind) == len(found), "two objects of one kind: index them another way"
    return by_kind


def env_file(path: Path) -> dict[str, str]:
    """KEY=value lines of an env file (as kustomize's generators read it), comments skipped."""
    lines = path.read_text(encoding="utf-8").splitlines()
    pairs = [line.split("=", 1) for line in lines if line.strip() and not line.startswith("#")]
    return dict(pairs)


def kubernetes_validate(version: str, paths: list[Path]) -> subprocess.CompletedProcess[str]:
    """kubernetes-validate --strict against one Kubernetes version's schemas (no network)."""
    found = shutil.which("kubernetes-validate", path=str(Path(sys.executable).parent))
    assert found, "kubernetes-validate is part of the template's dev tooling (uv sync)"
    command = [found, "--strict", "-k", version, *map(str, paths)]
    return subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_manifests_validate_strictly(bake: Bake, version: str) -> None:
    """Every object validates against the Kubernetes schemas, unknown fields refused; an object
    of a kind without a schema (a typo in apiVersion) is a failure, not a warning."""
    paths = manifests(bake.path)
    completed = kubernetes_validate(version, paths)
    output = completed.stdout + completed.stderr
    assert completed.returncode == 0, output
    assert "WARN" not in output
    assert output.count(" passed ") == sum(len(documents(path)) for path in paths), output


def kustomization_dirs(root: Path) -> list[Path]:
    """Every folder with a kustomization.yaml under deploy/kubernetes."""
    return sorted(path.parent for path in (root / DEPLOY).rglob("kustomization.yaml"))


def referenced(kustomization: dict[str, Any]) -> list[str]:
    """The paths a kustomization names: resources, components and generators' env files."""
    paths = [path for key in KUSTOMIZE_PATH_KEYS for path in kustomization.get(key, [])]
    for key in KUSTOMIZE_GENERATORS:
        for generator in kustomization.get(key, []):
            paths += generator.get("envs", []) + generator.get("files", [])
    return paths


def test_kustomizations_list_exactly_their_files(bake: Bake) -> None:
    """Each kustomization names every file beside it (but the committed *.example of a
    git-ignored file) and nothing that is not there: no manifest is silently left out."""
    for folder in kustomization_dirs(bake.path):
        [kustomization] = documents(folder / "kustomization.yaml")
        names = referenced(kustomization)
        files = {p.name for p in folder.iterdir() if p.is_file()} - {"kustomization.yaml"}
        examples = {name for name in files if name.endswith(".example")}
        local = {name for name in names if "/" not in name and not (folder / name).is_dir()}
        assert local == {*(files - examples), *(e.removesuffix(".example") for e in examples)}
        for name in names:
            target = folder / name
            assert (
                target.is_file()
                or (target / "kustomization.yaml").is_file()
                or (folder / f"{name}.example").is_file()
            ), f"{folder.relative_to(bake.path)}: {name}"


def test_every_kustomization_is_reached_from_an_entry_point(bake: Bake) -> None:
    """The production overlay and its migration step reach every other kustomization."""
    entry_points = [bake.path / PRODUCTION, bake.path / PRODUCTION / "migrate"]
    reached, todo = set(), list(entry_points)
    while todo:
        folder = todo.pop().resolve()
        reached.add(folder)
        [kustomization] = documents(folder / "kustomization.yaml")
        todo += [folder / name for name in referenced(kustomization) if (folder / name).is_dir()]
    assert {path.resolve() for path in kustomization_dirs(bake.path)} == reached


def test_no_secret_value_is_committed(bake: Bake) -> None:
    """No manifest is a Secret with data; the Secret's source is a git-ignored env file that
    is not rendered, beside an example whose keys have no values."""
    for path in manifests(bake.path):
        kinds = [doc["kind"] for doc in documents(path)]
        assert "Secret" not in kinds, path
    release = bake.path / PRODUCTION / "release"
    [kustomization] = documents(release / "kustomization.yaml")
    [generator] = kustomization["secretGenerator"]
    [source] = generator["envs"]
    assert not (release / source).exists()
    assert env_file(release / f"{source}.example")
    assert set(env_file(release / f"{source}.example").values()) == {""}
    assert git_ignores(bake.path, (release / source).relative_to(bake.path))


def git_ignores(project: Path, path: Path) -> bool:
    """Whether the project's .gitignore ignores path (checked in a scratch repository)."""
    scratch = project.parent / f"{project.name}-gitignore-check"
    scratch.mkdir(exist_ok=True)
    shutil.copy(project / ".gitignore", scratch / ".gitignore")
    subprocess.run(["git", "init", "-q", str(scratch)], check=True, timeout=30)
    completed = subprocess.run(
        ["git", "-C", str(scratch), "check-ignore", "-q", "--no-index", str(path)],
        check=False,
        timeout=30,
    )
    return completed.returncode == 0


def known_settings(project: Path) -> set[str]:
    """The setting names .env.example documents, set or commented out."""
    text = (project / ".env.example").read_text(encoding="utf-8")
    return set(re.findall(r"^#? ?([A-Z][A-Z0-9_]+)=", text, re.MULTILINE))


def test_configmap_and_secret_hold_only_known_settings(bake: Bake) -> None:
    """settings.env and the secret's example name settings the service reads (a typo would be
    silently ignored), and the secrets are not also in the ConfigMap."""
    release = bake.path / PRODUCTION / "release"
    settings, secrets = env_file(release / "settings.env"), env_file(release / "secret.env.example")
    known = known_settings(bake.path)
    assert sorted(set(settings) - known) == []
    assert sorted(set(secrets) - known) == []
    assert set(settings) & set(secrets) == set()
    assert {"SECRET_KEY", "DATABASE_URL"} <= set(secrets)
    assert ("REDIS_URL" in secrets) is bake.answers["use_redis"]
    assert ("OTEL_EXPORTER_OTLP_ENDPOINT" in settings) is bake.answers["use_opentelemetry"]
    assert settings["ENVIRONMENT"] == "production"
    if bake.answers["use_auth"]:
        assert settings["EMAIL_BACKEND"] == "smtp"
        assert "true" in (settings.get("SMTP_TLS"), settings.get("SMTP_STARTTLS"))
        assert settings["PASSWORD_RESET_URL"].startswith("https://")


def pod_spec(manifest: dict[str, Any]) -> dict[str, Any]:
    """The pod template's spec of a Deployment or Job."""
    spec: dict[str, Any] = manifest["spec"]["template"]["spec"]
    return spec


def test_deployment_runs_the_images_command_with_probes(bake: Bake) -> None:
    """The API container runs the Dockerfile's CMD, probes /health/live (startup, liveness)
    and /health/ready (readiness) on its port, and reads the ConfigMap and the Secret."""
    deployment = objects(bake.path)["Deployment"]
    [container] = pod_spec(deployment)["containers"]
    dockerfile = (bake.path / "Dockerfile").read_text(encoding="utf-8")
    assert f"CMD {json_list(container['command'])}" in dockerfile
    probes = {name: container[name]["httpGet"]["path"] for name in PROBES}
    assert probes == PROBES
    assert {container[name]["httpGet"]["port"] for name in PROBES} == {"http"}
    assert [port["containerPort"] for port in container["ports"]] == [8000]
    sources = [next(iter(source.values()))["name"] for source in container["envFrom"]]
    slug = bake.answers["project_slug"]
    assert sources == [f"{slug}-settings", f"{slug}-secrets"]


PROBES = {
    "startupProbe": "/health/live",
    "livenessProbe": "/health/live",
    "readinessProbe": "/health/ready",
}


def json_list(items: list[str]) -> str:
    """A list as the Dockerfile's exec form writes it."""
    return "[" + ", ".join(f'"{item}"' for item in items) + "]"


@pytest.mark.parametrize("kind", ["Deployment", "Job"])
def test_pods_are_locked_down(bake: Bake, kind: str) -> None:
    """Non-root, read-only root filesystem with emptyDir /tmp, no capabilities, no privilege
    escalation, the runtime's seccomp profile, resource requests and limits, no API token."""
    spec = pod_spec(objects(bake.path)[kind])
    assert spec["securityContext"]["runAsNonRoot"] is True
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False
    [container] = spec["containers"]
    assert container["securityContext"] == {
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
    }
    assert set(container["resources"]) == {"requests", "limits"}
    assert {"cpu", "memory"} <= set(container["resources"]["limits"])
    volumes = {volume["name"]: volume for volume in spec["volumes"]}
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    assert "emptyDir" in volumes[mounts["/tmp"]]  # noqa: S108  # the pod's path, not ours


def test_grace_period_outlasts_prestop_and_shutdown_timeout(bake: Bake) -> None:
    """terminationGracePeriodSeconds counts from the start of preStop: it must exceed the
    preStop sleep plus SHUTDOWN_TIMEOUT, or SIGKILL cuts requests still finishing."""
    spec = pod_spec(objects(bake.path)["Deployment"])
    [container] = spec["containers"]
    command = container["lifecycle"]["preStop"]["exec"]["command"]
    assert command[0] == "sleep"
    settings = env_file(bake.path / PRODUCTION / "release" / "settings.env")
    needed = int(command[1]) + int(settings["SHUTDOWN_TIMEOUT"])
    assert needed < spec["terminationGracePeriodSeconds"] <= needed + 10


def test_replicas_spread_scale_and_survive_drains(bake: Bake) -> None:
    """Replicas spread across nodes; the HPA scales the Deployment on CPU (and the Deployment
    leaves the count to it); the PDB and the Service select the Deployment's pods."""
    found = objects(bake.path)
    deployment, hpa = found["Deployment"], found["HorizontalPodAutoscaler"]
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert deployment["spec"]["selector"]["matchLabels"] == labels
    spread = pod_spec(deployment)["topologySpreadConstraints"]
    assert "kubernetes.io/hostname" in [constraint["topologyKey"] for constraint in spread]
    assert "replicas" not in deployment["spec"]
    assert hpa["spec"]["scaleTargetRef"]["name"] == deployment["metadata"]["name"]
    assert [metric["resource"]["name"] for metric in hpa["spec"]["metrics"]] == ["cpu"]
    assert hpa["spec"]["minReplicas"] >= 2
    assert found["PodDisruptionBudget"]["spec"]["selector"]["matchLabels"] == labels
    assert found["Service"]["spec"]["selector"] == labels


def test_connection_budget_fits_postgresql(bake: Bake) -> None:
    """At the most replicas during a rollout, every pool full, plus the migration Job, stays
    under PostgreSQL's default max_connections (docs/DEPLOYMENT.md gives the formula)."""
    found = objects(bake.path)
    settings = env_file(bake.path / PRODUCTION / "release" / "settings.env")
    pods = found["HorizontalPodAutoscaler"]["spec"]["maxReplicas"] + int(
        found["Deployment"]["spec"]["strategy"]["rollingUpdate"]["maxSurge"]
    )
    per_worker = int(settings["DB_POOL_SIZE"]) + int(settings["DB_MAX_OVERFLOW"])
    migration_job = 1
    used = pods * int(settings["WORKERS"]) * per_worker + migration_job
    assert used <= MAX_CONNECTIONS - RESERVED_CONNECTIONS


def test_migrations_run_once_in_a_job_of_the_same_image(bake: Bake) -> None:
    """`alembic upgrade head` runs in a Job (never retried forever), with the Deployment's
    image and configuration; the Deployment itself never migrates."""
    found = objects(bake.path)
    [job] = pod_spec(found["Job"])["containers"]
    [api] = pod_spec(found["Deployment"])["containers"]
    assert job["command"] == ["alembic", "upgrade", "head"]
    assert job["image"] == api["image"]
    assert job["envFrom"] == api["envFrom"]
    assert "alembic" not in api["command"]
    assert "initContainers" not in pod_spec(found["Deployment"])
    assert pod_spec(found["Job"])["restartPolicy"] == "Never"
    assert found["Job"]["spec"]["backoffLimit"] <= 1


def test_prometheus_scraping_follows_the_option(bake: Bake) -> None:
    """With use_prometheus the pods carry the scrape annotations for /metrics; without, none."""
    template = objects(bake.path)["Deployment"]["spec"]["template"]
    annotations = template["metadata"].get("annotations", {})
    if bake.answers["use_prometheus"]:
        assert annotations["prometheus.io/scrape"] == "true"
        assert annotations["prometheus.io/path"] == "/metrics"
        assert annotations["prometheus.io/port"] == "8000"
    else:
        assert not any(key.startswith("prometheus.io/") for key in annotations)


def test_deployment_guide_is_linked_from_the_readme(bake: Bake) -> None:
    """docs/DEPLOYMENT.md is rendered with the option and the README links to it."""
    assert (bake.path / "docs/DEPLOYMENT.md").is_file()
    readme = (bake.path / "README.md").read_text(encoding="utf-8")
    assert "(docs/DEPLOYMENT.md)" in readme
    guide = (bake.path / "docs/DEPLOYMENT.md").read_text(encoding="utf-8")
    assert f"kubectl apply -k {PRODUCTION.as_posix()}" in guide
    assert f"rollout undo deployment/{bake.answers['project_slug']}" in guide
