"""Checks of the deployment files under deploy/ that operators rely on.

Each check takes the parsed files (a Bundle) and returns a list of problems,
one readable sentence each; an empty list means the check passed. The
checks read only what the files say: nothing here talks to a container
engine or a Kubernetes cluster.
"""

import copy
import dataclasses
import functools
import os
import re

import yaml

GRPC_PORT = 50051
METRICS_PORT = 9464
CNPG_API = "postgresql.cnpg.io/v1"

# deploy/install-deps.sh packages that the image's build stage does not
# need: tests, benchmarks, the demo's PostgreSQL and Python, and git.
NOT_NEEDED_TO_BUILD = {
    "git",
    "libgtest-dev",
    "libgmock-dev",
    "libbenchmark-dev",
    "postgresql",
    "postgresql-contrib",
    # The fuzzers' compiler and the browser test's browser.
    "clang",
    "chromium",
}


@dataclasses.dataclass
class Bundle:
    """The deployment files, parsed."""

    # Kubernetes objects of deploy/kubernetes, by file name.
    kubernetes: dict
    kustomization: dict
    compose: dict
    dockerfile: str
    dockerignore: str
    install_deps: str
    # The KNOB_* variables knob-server reads (server/main.cc).
    server_variables: set
    # Files next to compose.yaml, for its bind mounts.
    deploy_files: set

    def copy(self):
        return copy.deepcopy(self)


def _server_variables(main_cc):
    """KNOB_<FLAG> for every flag ApplyEnvironmentDefaults maps."""
    match = re.search(r"void ApplyEnvironmentDefaults\(\).*?\{(.*?)\}\)",
                      main_cc, re.S)
    if match is None:
        return set()
    names = re.findall(r'"([a-z_]+)"', match.group(1))
    return {"KNOB_" + name.upper() for name in names}


def load(root):
    deploy = os.path.join(root, "deploy")
    kube_dir = os.path.join(deploy, "kubernetes")
    kubernetes = {}
    kustomization = {}
    for name in sorted(os.listdir(kube_dir)):
        if not name.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(kube_dir, name)) as f:
            documents = [d for d in yaml.safe_load_all(f) if d is not None]
        if name == "kustomization.yaml":
            kustomization = documents[0]
        else:
            kubernetes[name] = documents

    def read(*parts):
        with open(os.path.join(root, *parts)) as f:
            return f.read()

    return Bundle(
        kubernetes=kubernetes,
        kustomization=kustomization,
        compose=yaml.safe_load(read("deploy", "compose.yaml")),
        dockerfile=read("deploy", "Dockerfile"),
        dockerignore=read(".dockerignore"),
        install_deps=read("deploy", "install-deps.sh"),
        server_variables=_server_variables(read("server", "main.cc")),
        deploy_files=set(os.listdir(deploy)),
    )


# --- Kubernetes helpers -----------------------------------------------------


def _objects(bundle, kind):
    return [
        o for documents in bundle.kubernetes.values() for o in documents
        if o.get("kind") == kind
    ]


def _one(bundle, kind, problems):
    found = _objects(bundle, kind)
    if len(found) != 1:
        problems.append(f"expected one {kind}, found {len(found)}")
        return None
    return found[0]


def _server_deployment(bundle, problems):
    for deployment in _objects(bundle, "Deployment"):
        if deployment["metadata"]["name"] == "knob-server":
            return deployment
    problems.append("no Deployment named knob-server")
    return None


def _against_server_deployment(kind):
    """Makes check(bundle, found, deployment), a check of the one object of
    `kind` against knob-server's Deployment, a check of a bundle: it runs
    when both exist; else the problems say which is missing."""

    def decorate(check):

        @functools.wraps(check)
        def check_bundle(bundle):
            problems = []
            found = _one(bundle, kind, problems)
            deployment = _server_deployment(bundle, problems)
            if found is None or deployment is None:
                return problems
            return check(bundle, found, deployment)

        return check_bundle

    return decorate


def _pod_labels(workload):
    return workload["spec"]["template"]["metadata"].get("labels", {})


def _selects(selector, labels):
    return bool(selector) and all(
        labels.get(k) == v for k, v in selector.items())


def _containers(workload):
    return workload["spec"]["template"]["spec"].get("containers", [])


def _image_name(image):
    return image.rsplit(":", 1)[0] if ":" in image.split("/")[-1] else image


def _knob_image(bundle):
    """The image name kustomization maps to the built Knob image."""
    for entry in bundle.kustomization.get("images", []):
        return entry.get("name")
    return None


def _database_secret(bundle):
    """<cluster>-app: the Secret CloudNativePG generates, with key `uri`."""
    clusters = _objects(bundle, "Cluster")
    if len(clusters) != 1:
        return None
    return clusters[0]["metadata"]["name"] + "-app"


def _check_database_env(bundle, container, where):
    problems = []
    secret = _database_secret(bundle)
    env = {e["name"]: e for e in container.get("env", [])}
    entry = env.get("KNOB_DATABASE_URL")
    if entry is None:
        return [f"{where}: no KNOB_DATABASE_URL in env"]
    ref = entry.get("valueFrom", {}).get("secretKeyRef")
    if ref is None:
        problems.append(f"{where}: KNOB_DATABASE_URL is not read from a Secret")
    elif ref.get("name") != secret or ref.get("key") != "uri":
        problems.append(
            f"{where}: KNOB_DATABASE_URL comes from {ref.get('name')}/"
            f"{ref.get('key')}, not the CloudNativePG secret {secret}/uri")
    return problems


def _check_resources(container, where):
    resources = container.get("resources", {})
    problems = []
    for part in ("requests", "limits"):
        for resource in ("cpu", "memory"):
            if resource not in resources.get(part, {}):
                problems.append(f"{where}: no resources.{part}.{resource}")
    return problems


def _check_non_root(workload, where):
    pod = workload["spec"]["template"]["spec"].get("securityContext", {})
    problems = []
    for container in _containers(workload):
        context = {**pod, **container.get("securityContext", {})}
        name = f"{where}/{container['name']}"
        if context.get("runAsNonRoot") is not True:
            problems.append(f"{name}: runAsNonRoot is not true")
        if context.get("runAsUser", 0) == 0:
            problems.append(f"{name}: runAsUser is root or unset")
        if context.get("allowPrivilegeEscalation") is not False:
            problems.append(f"{name}: allowPrivilegeEscalation is not false")
    return problems


# --- Kubernetes checks ------------------------------------------------------


def check_kustomization(bundle):
    listed = set(bundle.kustomization.get("resources", []))
    present = set(bundle.kubernetes)
    problems = [f"kustomization lists missing file {f}"
                for f in sorted(listed - present)]
    problems += [f"kustomization does not list {f}"
                 for f in sorted(present - listed)]
    if not _knob_image(bundle):
        problems.append("kustomization sets no image for the Knob image")
    return problems


def check_server_deployment(bundle):
    problems = []
    deployment = _server_deployment(bundle, problems)
    if deployment is None:
        return problems
    spec = deployment["spec"]
    if spec.get("replicas", 1) < 2:
        problems.append(f"knob-server replicas {spec.get('replicas', 1)} < 2")
    if not _selects(spec["selector"].get("matchLabels"),
                    _pod_labels(deployment)):
        problems.append("knob-server selector does not match its pod labels")
    containers = _containers(deployment)
    if len(containers) != 1:
        return problems + [f"knob-server has {len(containers)} containers"]
    container = containers[0]
    image = container.get("image", "")
    if _image_name(image) != _knob_image(bundle) or image.endswith(":latest"):
        problems.append(f"knob-server image {image!r} is not the pinned "
                        f"{_knob_image(bundle)!r} image")
    ports = {p.get("containerPort"): p.get("name")
             for p in container.get("ports", [])}
    for port, name in ((GRPC_PORT, "grpc"), (METRICS_PORT, "metrics")):
        if ports.get(port) != name:
            problems.append(f"knob-server has no port {name}={port}")
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        settings = container.get(probe)
        if settings is None:
            if probe != "startupProbe":
                problems.append(f"knob-server has no {probe}")
            continue
        if settings.get("grpc", {}).get("port") != GRPC_PORT:
            problems.append(
                f"knob-server {probe} is not a grpc probe on {GRPC_PORT}")
    problems += _check_database_env(bundle, container, "knob-server")
    problems += _check_resources(container, "knob-server")
    problems += _check_non_root(deployment, "knob-server")
    config_maps = {c["metadata"]["name"]: c
                   for c in _objects(bundle, "ConfigMap")}
    for source in container.get("envFrom", []):
        name = source.get("configMapRef", {}).get("name")
        if name is not None and name not in config_maps:
            problems.append(f"knob-server reads missing ConfigMap {name}")
    return problems


def _seconds(duration):
    match = re.fullmatch(r"(\d+)(s|m)", duration)
    return int(match.group(1)) * (60 if match.group(2) == "m" else 1)


def check_server_config(bundle):
    problems = []
    config = _one(bundle, "ConfigMap", problems)
    if config is None:
        return problems
    data = config.get("data", {})
    for key in sorted(data):
        if key not in bundle.server_variables:
            problems.append(f"ConfigMap sets {key}, which knob-server ignores")
    if data.get("KNOB_LISTEN", "").rsplit(":", 1)[-1] != str(GRPC_PORT):
        problems.append(f"ConfigMap KNOB_LISTEN is not on port {GRPC_PORT}")
    if data.get("KNOB_METRICS_LISTEN", "").rsplit(":",
                                                  1)[-1] != str(METRICS_PORT):
        problems.append(
            f"ConfigMap KNOB_METRICS_LISTEN is not on port {METRICS_PORT}")
    deployment = _server_deployment(bundle, [])
    if deployment is not None and "KNOB_SHUTDOWN_GRACE" in data:
        grace = deployment["spec"]["template"]["spec"].get(
            "terminationGracePeriodSeconds", 30)
        if _seconds(data["KNOB_SHUTDOWN_GRACE"]) >= grace:
            problems.append("KNOB_SHUTDOWN_GRACE is not shorter than the "
                            "pod's terminationGracePeriodSeconds")
    return problems


@_against_server_deployment("Service")
def check_service(bundle, service, deployment):
    problems = []
    if not _selects(service["spec"].get("selector"), _pod_labels(deployment)):
        problems.append("Service selector does not match knob-server pods")
    container_ports = {}
    for container in _containers(deployment):
        for port in container.get("ports", []):
            container_ports[port.get("name")] = port.get("containerPort")
    served = {}
    for port in service["spec"].get("ports", []):
        target = port.get("targetPort", port.get("port"))
        served[port.get("port")] = container_ports.get(target, target)
    for port in (GRPC_PORT, METRICS_PORT):
        if served.get(port) != port:
            problems.append(f"Service does not route port {port} to the "
                            f"container's {port}")
    return problems


@_against_server_deployment("PodDisruptionBudget")
def check_disruption_budget(bundle, budget, deployment):
    problems = []
    spec = budget["spec"]
    if not _selects(spec.get("selector", {}).get("matchLabels"),
                    _pod_labels(deployment)):
        problems.append("PodDisruptionBudget selector does not match "
                        "knob-server pods")
    replicas = deployment["spec"].get("replicas", 1)
    # Either bound keeps a replica up and lets a node drain when it lies
    # strictly between 0 and the replicas; the first one set counts.
    budgets = [name for name in ("maxUnavailable", "minAvailable")
               if name in spec]
    if not budgets:
        problems.append("PodDisruptionBudget sets no budget")
    elif not 0 < spec[budgets[0]] < replicas:
        problems.append(f"PodDisruptionBudget {budgets[0]} does not keep a "
                        "replica while allowing a drain")
    return problems


@_against_server_deployment("Job")
def check_migration_job(bundle, job, deployment):
    problems = []
    containers = _containers(job)
    if len(containers) != 1:
        return problems + [f"migration Job has {len(containers)} containers"]
    container = containers[0]
    command = container.get("command", []) + container.get("args", [])
    if "--migrate-only" not in command and "--migrate_only" not in command:
        problems.append("migration Job does not run --migrate-only")
    server_image = _containers(deployment)[0].get("image")
    if container.get("image") != server_image:
        problems.append("migration Job image differs from knob-server's")
    if job["spec"]["template"]["spec"].get("restartPolicy") not in (
            "Never", "OnFailure"):
        problems.append("migration Job restartPolicy is not Never/OnFailure")
    problems += _check_database_env(bundle, container, "migration Job")
    problems += _check_resources(container, "migration Job")
    problems += _check_non_root(job, "migration Job")
    return problems


def check_database_cluster(bundle):
    problems = []
    cluster = _one(bundle, "Cluster", problems)
    if cluster is None:
        return problems
    if cluster.get("apiVersion") != CNPG_API:
        problems.append(f"Cluster apiVersion is not {CNPG_API}")
    spec = cluster["spec"]
    if spec.get("instances") != 3:
        problems.append(f"Cluster instances {spec.get('instances')} != 3")
    initdb = spec.get("bootstrap", {}).get("initdb", {})
    if not initdb.get("database") or not initdb.get("owner"):
        problems.append("Cluster bootstrap.initdb sets no database and owner")
    if not spec.get("storage", {}).get("size"):
        problems.append("Cluster sets no storage size")
    return problems


# --- compose ----------------------------------------------------------------


def check_compose(bundle):
    problems = []
    services = bundle.compose.get("services", {})
    postgres = services.get("postgres")
    server = services.get("knob-server")
    if postgres is None or server is None:
        return ["compose has no postgres or no knob-server service"]
    if postgres.get("image") != "postgres:15":
        problems.append(f"compose postgres image is {postgres.get('image')}")
    volumes = set(bundle.compose.get("volumes") or {})
    mounts = [str(v).split(":") for v in postgres.get("volumes", [])]
    if not any(len(m) >= 2 and m[0] in volumes and
               m[1] == "/var/lib/postgresql/data" for m in mounts):
        problems.append("compose postgres data is not on a named volume")
    if "test" not in postgres.get("healthcheck", {}):
        problems.append("compose postgres has no healthcheck")
    depends_on = server.get("depends_on", {})
    # The short list form only waits for the container to start.
    condition = (depends_on.get("postgres") or {}) if isinstance(
        depends_on, dict) else {}
    if condition.get("condition") != "service_healthy":
        problems.append("compose knob-server does not wait for a healthy "
                        "postgres")
    if server.get("build", {}).get("dockerfile") != "deploy/Dockerfile":
        problems.append("compose knob-server is not built from "
                        "deploy/Dockerfile")
    environment = server.get("environment", {})
    for key in sorted(environment):
        if key not in bundle.server_variables:
            problems.append(f"compose sets {key}, which knob-server ignores")
    if "@postgres:5432/" not in environment.get("KNOB_DATABASE_URL", ""):
        problems.append("compose KNOB_DATABASE_URL does not point at the "
                        "postgres service")
    published = [str(p).split(":")[-1] for p in server.get("ports", [])]
    for port in (GRPC_PORT, METRICS_PORT):
        if str(port) not in published:
            problems.append(f"compose knob-server does not publish {port}")
    demo = {name: s for name, s in services.items()
            if "demo" in s.get("profiles", [])}
    if not demo:
        problems.append("compose has no service in the demo profile")
    for name, service in demo.items():
        if service.get("image") != server.get("image"):
            problems.append(f"compose {name} does not use the Knob image")
        for volume in service.get("volumes", []):
            source = str(volume).split(":")[0]
            if source.startswith("./") and source[2:] not in bundle.deploy_files:
                problems.append(f"compose {name} mounts missing {source}")
    return problems


# --- Dockerfile -------------------------------------------------------------


def _instructions(dockerfile):
    """(INSTRUCTION, arguments) with continuation lines joined."""
    joined = re.sub(r"\\\n", " ", dockerfile)
    result = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            keyword, _, rest = line.partition(" ")
            result.append((keyword.upper(), rest.strip()))
    return result


def _stages(dockerfile):
    stages = []
    for keyword, rest in _instructions(dockerfile):
        if keyword == "FROM":
            stages.append([])
        if stages:
            stages[-1].append((keyword, rest))
    return stages


def _install_deps_packages(script):
    match = re.search(r"packages=\((.*?)\)", script, re.S)
    return set(match.group(1).split()) if match else set()


def check_dockerfile(bundle):
    problems = []
    stages = _stages(bundle.dockerfile)
    if len(stages) < 2:
        return ["Dockerfile is not multi-stage"]
    for stage in stages:
        base = stage[0][1].split()[0]
        if base != "debian:bookworm-slim":
            problems.append(f"Dockerfile stage based on {base}")
    build = " ".join(rest for _, rest in stages[0])
    runtime = stages[-1]
    if "-DKNOB_BUILD_TESTS=OFF" not in build:
        problems.append("Dockerfile build stage builds the tests")
    needed = _install_deps_packages(bundle.install_deps) - NOT_NEEDED_TO_BUILD
    needed = {p for p in needed if not p.startswith("python3-")}
    installed = set(build.split())
    for package in sorted(needed - installed):
        problems.append(f"Dockerfile build stage lacks {package} "
                        "(deploy/install-deps.sh has it)")
    for keyword, rest in runtime:
        if keyword == "RUN" and "apt-get install" in rest and re.search(
                r"\S+-dev\b", rest):
            problems.append("Dockerfile runtime stage installs -dev packages")
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    if not users:
        problems.append("Dockerfile runtime stage sets no USER")
    elif users[-1].split(":")[0] in ("root", "0"):
        problems.append("Dockerfile runs as root")
    health = [rest for keyword, rest in runtime if keyword == "HEALTHCHECK"]
    if not health or "health" not in health[-1].split("CMD", 1)[-1]:
        problems.append("Dockerfile has no HEALTHCHECK through knobctl health")
    exposed = {p.split("/")[0] for keyword, rest in runtime
               if keyword == "EXPOSE" for p in rest.split()}
    for port in (GRPC_PORT, METRICS_PORT):
        if str(port) not in exposed:
            problems.append(f"Dockerfile does not expose {port}")
    env = " ".join(rest for keyword, rest in runtime if keyword == "ENV")
    if f"KNOB_METRICS_LISTEN=0.0.0.0:{METRICS_PORT}" not in env:
        problems.append("Dockerfile does not set KNOB_METRICS_LISTEN")
    entry = [rest for keyword, rest in runtime if keyword == "ENTRYPOINT"]
    if not entry or "knob-server" not in entry[-1]:
        problems.append("Dockerfile entry point is not knob-server")
    ignored = set(bundle.dockerignore.split())
    for pattern in ("build*/", ".knob/", ".git"):
        if pattern not in ignored:
            problems.append(f".dockerignore lacks {pattern}")
    return problems


ALL_CHECKS = [
    check_kustomization,
    check_server_deployment,
    check_server_config,
    check_service,
    check_disruption_budget,
    check_migration_job,
    check_database_cluster,
    check_compose,
    check_dockerfile,
]


def run_all(bundle):
    problems = []
    for check in ALL_CHECKS:
        problems += check(bundle)
    return problems
