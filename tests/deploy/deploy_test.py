"""The deployment files under deploy/ pass deploy_checks, and every check
fails on a copy broken in the way it guards against."""

import os
import shutil
import tempfile
import unittest

import deploy_checks

ROOT = os.environ.get(
    "KNOB_SOURCE_DIR",
    os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..")))


def _server(bundle):
    return bundle.kubernetes["server-deployment.yaml"][0]


def _server_container(bundle):
    return _server(bundle)["spec"]["template"]["spec"]["containers"][0]


def _job_container(bundle):
    job = bundle.kubernetes["migrate-job.yaml"][0]
    return job["spec"]["template"]["spec"]["containers"][0]


def _set(path_getter, key, value):

    def mutate(bundle):
        path_getter(bundle)[key] = value

    return mutate


def _delete(path_getter, key):

    def mutate(bundle):
        del path_getter(bundle)[key]

    return mutate


def _edit_text(attribute, old, new):

    def mutate(bundle):
        text = getattr(bundle, attribute)
        assert old in text, f"{old!r} not in {attribute}"
        setattr(bundle, attribute, text.replace(old, new))

    return mutate


def _database_env(container_getter, field, value):

    def mutate(bundle):
        for entry in container_getter(bundle)["env"]:
            if entry["name"] == "KNOB_DATABASE_URL":
                entry["valueFrom"]["secretKeyRef"][field] = value

    return mutate


def _drop_port(bundle):
    ports = _server_container(bundle)["ports"]
    ports[:] = [p for p in ports if p["containerPort"] != 9464]


def _drop_kustomization_resource(bundle):
    bundle.kustomization["resources"].remove("server-pdb.yaml")


# (what is broken, how, words the problem report must contain)
MUTATIONS = [
    ("one replica", _set(lambda b: _server(b)["spec"], "replicas", 1),
     "replicas 1 < 2"),
    ("selector misses pods",
     _set(lambda b: _server(b)["spec"]["selector"]["matchLabels"],
          "app.kubernetes.io/component", "other"),
     "knob-server selector does not match"),
    ("latest image", _set(_server_container, "image", "knob:latest"),
     "knob-server image"),
    ("foreign image", _set(_server_container, "image", "nginx:1.25"),
     "knob-server image"),
    ("no metrics port", _drop_port, "no port metrics=9464"),
    ("readiness over HTTP",
     _set(_server_container, "readinessProbe", {"httpGet": {"port": 50051}}),
     "readinessProbe is not a grpc probe"),
    ("liveness on the metrics port",
     _set(_server_container, "livenessProbe", {"grpc": {"port": 9464}}),
     "livenessProbe is not a grpc probe"),
    ("no liveness probe", _delete(_server_container, "livenessProbe"),
     "no livenessProbe"),
    ("database URL from another key",
     _database_env(_server_container, "key", "password"),
     "not the CloudNativePG secret knob-db-app/uri"),
    ("database URL from another secret",
     _database_env(_server_container, "name", "knob-db-superuser"),
     "not the CloudNativePG secret"),
    ("no resources", _delete(_server_container, "resources"),
     "knob-server: no resources.requests.cpu"),
    ("root server",
     _set(lambda b: _server(b)["spec"]["template"]["spec"]["securityContext"],
          "runAsNonRoot", False), "knob-server/knob-server: runAsNonRoot"),
    ("missing ConfigMap",
     lambda b: _server_container(b)["envFrom"][0]["configMapRef"].update(
         name="other"), "reads missing ConfigMap other"),
    ("misspelt variable",
     _set(lambda b: b.kubernetes["server-config.yaml"][0]["data"],
          "KNOB_POOLSIZE", "8"), "KNOB_POOLSIZE, which knob-server ignores"),
    ("grace beyond the pod's",
     _set(lambda b: b.kubernetes["server-config.yaml"][0]["data"],
          "KNOB_SHUTDOWN_GRACE", "45s"), "KNOB_SHUTDOWN_GRACE is not shorter"),
    ("Service selects nothing",
     _set(lambda b: b.kubernetes["server-service.yaml"][0]["spec"]["selector"],
          "app.kubernetes.io/name", "knob-typo"),
     "Service selector does not match"),
    ("Service port to the wrong target",
     lambda b: b.kubernetes["server-service.yaml"][0]["spec"]["ports"][0].
     update(targetPort="metrics"), "does not route port 50051"),
    ("PDB selects nothing",
     _set(lambda b: b.kubernetes["server-pdb.yaml"][0]["spec"]["selector"][
         "matchLabels"], "app.kubernetes.io/component", "migrate"),
     "PodDisruptionBudget selector does not match"),
    ("PDB blocks drains",
     _set(lambda b: b.kubernetes["server-pdb.yaml"][0]["spec"],
          "maxUnavailable", 0), "maxUnavailable does not keep"),
    ("Job does not migrate", _set(_job_container, "args", []),
     "does not run --migrate-only"),
    ("Job on another image", _set(_job_container, "image", "knob:0.0.9"),
     "migration Job image differs"),
    ("Job without the database secret",
     _database_env(_job_container, "key", "username"),
     "migration Job: KNOB_DATABASE_URL comes from"),
    ("Job as root",
     lambda b: b.kubernetes["migrate-job.yaml"][0]["spec"]["template"]["spec"]
     ["securityContext"].update(runAsUser=0),
     "migration Job/migrate: runAsUser is root"),
    ("one database instance",
     _set(lambda b: b.kubernetes["postgres-cluster.yaml"][0]["spec"],
          "instances", 1), "Cluster instances 1 != 3"),
    ("file not in kustomization", _drop_kustomization_resource,
     "kustomization does not list server-pdb.yaml"),
    ("compose postgres 14",
     _set(lambda b: b.compose["services"]["postgres"], "image", "postgres:14"),
     "compose postgres image is postgres:14"),
    ("compose postgres without healthcheck",
     _delete(lambda b: b.compose["services"]["postgres"], "healthcheck"),
     "compose postgres has no healthcheck"),
    ("compose server starts early",
     _set(lambda b: b.compose["services"]["knob-server"], "depends_on",
          ["postgres"]), "does not wait for a healthy postgres"),
    ("compose data in the container",
     _set(lambda b: b.compose["services"]["postgres"], "volumes", []),
     "not on a named volume"),
    ("compose metrics not published",
     _set(lambda b: b.compose["services"]["knob-server"], "ports",
          ["50051:50051"]), "does not publish 9464"),
    ("compose demo without its study file",
     lambda b: b.compose["services"]["demo-study"]["volumes"].append(
         "./missing.yaml:/demo/x.yaml:ro"),
     "mounts missing ./missing.yaml"),
    # Text edits: (name, the file edited, its text, the replacement, the
    # problem expected).
    *((name, _edit_text(attribute, old, new), expected)
      for name, attribute, old, new, expected in [
          ("Dockerfile as root", "dockerfile", "USER 10001:10001",
           "USER root", "Dockerfile runs as root"),
          ("Dockerfile without USER", "dockerfile", "USER 10001:10001", "",
           "runtime stage sets no USER"),
          ("Dockerfile without HEALTHCHECK", "dockerfile", "HEALTHCHECK",
           "# HEALTHCHECK", "no HEALTHCHECK"),
          ("Dockerfile hides metrics", "dockerfile", "EXPOSE 50051 9464",
           "EXPOSE 50051", "does not expose 9464"),
          ("Dockerfile on another base", "dockerfile",
           "FROM debian:bookworm-slim\n", "FROM ubuntu:22.04\n",
           "stage based on ubuntu:22.04"),
          ("Dockerfile builds tests", "dockerfile", "-DKNOB_BUILD_TESTS=OFF",
           "", "build stage builds the tests"),
          ("new build dependency", "install_deps", "libyaml-cpp-dev",
           "libyaml-cpp-dev libfoo-dev", "build stage lacks libfoo-dev"),
          ("-dev package at run time", "dockerfile",
           "$(cat /tmp/runtime-packages)",
           "$(cat /tmp/runtime-packages) libpq-dev",
           "runtime stage installs -dev packages"),
          (".git in the build context", "dockerignore", ".git\n", "",
           ".dockerignore lacks .git"),
      ]),
]


class DeployFilesTest(unittest.TestCase):

    def setUp(self):
        self.bundle = deploy_checks.load(ROOT)

    def test_the_deployment_files_pass_every_check(self):
        self.assertEqual(deploy_checks.run_all(self.bundle), [])

    def test_server_variables_are_read_from_main_cc(self):
        self.assertIn("KNOB_DATABASE_URL", self.bundle.server_variables)
        self.assertIn("KNOB_MIGRATE_ONLY", self.bundle.server_variables)

    def test_every_check_fails_on_what_it_guards(self):
        for name, mutate, expected in MUTATIONS:
            with self.subTest(name):
                broken = self.bundle.copy()
                mutate(broken)
                problems = deploy_checks.run_all(broken)
                self.assertTrue(
                    any(expected in problem for problem in problems),
                    f"{expected!r} not in {problems}")

    def test_a_broken_file_on_disk_is_caught(self):
        # The whole path, from reading the files: a copy of the tree's
        # deploy files with a Deployment of one replica.
        with tempfile.TemporaryDirectory() as copy_root:
            shutil.copytree(os.path.join(ROOT, "deploy"),
                            os.path.join(copy_root, "deploy"))
            os.makedirs(os.path.join(copy_root, "server"))
            shutil.copy(os.path.join(ROOT, "server", "main.cc"),
                        os.path.join(copy_root, "server", "main.cc"))
            shutil.copy(os.path.join(ROOT, ".dockerignore"), copy_root)
            path = os.path.join(copy_root, "deploy", "kubernetes",
                                "server-deployment.yaml")
            with open(path) as f:
                text = f.read()
            self.assertIn("replicas: 2\n", text)
            with open(path, "w") as f:
                f.write(text.replace("replicas: 2\n", "replicas: 1\n"))
            problems = deploy_checks.run_all(deploy_checks.load(copy_root))
            self.assertIn("knob-server replicas 1 < 2", problems)


if __name__ == "__main__":
    unittest.main()
