"""k8s/overlays, built offline with `kubectl kustomize` as `kubectl apply -k` would build them:
production (k8s/base with its engines from k8s/engines, autoscaling and monitoring) and a test
cluster (one broker node, one database member). Built-in kinds are validated strictly for two
Kubernetes versions; the operators', KEDA's and the Prometheus Operator's kinds are checked for
the fields their documentation gives, and against the system they serve: every queue a
ScaledObject reads is one a service declares, every metric an alert or a panel uses exists."""

import importlib
import json
import re
import subprocess
from urllib.parse import urlsplit

import pytest
import yaml
from nameko.containers import ServiceContainer
from nameko.events import SERVICE_POOL, EventHandler
from nameko.rpc import Rpc

from tests.deploy.layout import ROOT, deployment_name, nameko_services, procfile, service_module
from tests.deploy.test_kubernetes import KUBERNETES_VERSIONS, validation_problem

OVERLAYS = ROOT / "k8s" / "overlays"
CUSTOM_KINDS = {
    "RabbitmqCluster": "rabbitmq.com/v1beta1",
    "MongoDBCommunity": "mongodbcommunity.mongodb.com/v1",
    "ScaledObject": "keda.sh/v1alpha1",
    "TriggerAuthentication": "keda.sh/v1alpha1",
    "ServiceMonitor": "monitoring.coreos.com/v1",
    "PodMonitor": "monitoring.coreos.com/v1",
    "PrometheusRule": "monitoring.coreos.com/v1",
}
METRIC = re.compile(r"\b(?:gateway|message_center)_[a-z_]+\b")


def build(overlay: str) -> list[dict]:
    built = subprocess.run(
        ["kubectl", "kustomize", str(OVERLAYS / overlay)], capture_output=True, text=True, timeout=60
    )
    assert built.returncode == 0, built.stderr
    return [document for document in yaml.safe_load_all(built.stdout) if document]


@pytest.fixture(scope="module", params=["production", "test-cluster"])
def overlay(request):
    return request.param, build(request.param)


@pytest.fixture(scope="module")
def production():
    return build("production")


def of_kind(documents, kind):
    return [document for document in documents if document["kind"] == kind]


def named(documents, kind, name):
    [found] = [d for d in of_kind(documents, kind) if d["metadata"]["name"] == name]
    return found


def secret_values(documents) -> dict:
    return {
        (d["metadata"].get("namespace"), d["metadata"]["name"]): d.get("stringData", {})
        for d in of_kind(documents, "Secret")
    }


def declared_queues() -> set[str]:
    """The durable queues the services declare: nameko's names for their RPC and pooled events."""
    queues = set()
    for process in nameko_services():
        module = importlib.import_module(service_module(procfile()[process]))
        service = next(
            value
            for value in vars(module).values()
            if isinstance(value, type) and getattr(value, "name", None) == process
        )
        for entrypoint in ServiceContainer(service, {"AMQP_URI": "memory://"}).entrypoints:
            if isinstance(entrypoint, Rpc):
                queues.add(f"rpc-{process}")
            elif isinstance(entrypoint, EventHandler) and entrypoint.handler_type is SERVICE_POOL:
                queues.add(
                    f"evt-{entrypoint.source_service}-{entrypoint.event_type}--{process}.{entrypoint.method_name}"
                )
    return queues


def defined_metrics() -> set[str]:
    """Every metric the code defines, under the names Prometheus shows it by."""
    names = set()
    for path in [*ROOT.glob("services/**/*.py"), *ROOT.glob("gateway/**/*.py")]:
        for kind, name in re.findall(r'\b(Counter|Gauge|Histogram)\(\s*"([a-z_]+)"', path.read_text()):
            names.add(name)
            if kind == "Histogram":
                names |= {f"{name}_bucket", f"{name}_sum", f"{name}_count"}
    return names


def test_each_overlay_builds_and_its_built_in_kinds_are_valid(overlay):
    name, documents = overlay
    problems = [
        f"{d['kind']} {d['metadata']['name']} ({version}): {problem}"
        for d in documents
        if d["kind"] not in CUSTOM_KINDS
        for version in KUBERNETES_VERSIONS
        if (problem := validation_problem(d, version))
    ]
    assert not problems, "\n".join(problems)
    for document in documents:
        if document["kind"] in CUSTOM_KINDS:
            assert document["apiVersion"] == CUSTOM_KINDS[document["kind"]], document["metadata"]["name"]


def test_the_broker_is_a_rabbitmq_cluster_the_services_reach(overlay):
    name, documents = overlay
    broker = named(documents, "RabbitmqCluster", "rabbitmq")
    assert broker["spec"]["replicas"] == (3 if name == "production" else 1)
    host = f"{broker['metadata']['name']}.{broker['metadata']['namespace']}.svc.cluster.local"
    uris = [values["AMQP_URI"] for values in secret_values(documents).values() if "AMQP_URI" in values]
    assert uris and all(urlsplit(uri).hostname == host for uri in uris)
    if name == "production":
        assert "quorum_queue.initial_cluster_size = 3" in broker["spec"]["rabbitmq"]["additionalConfig"]


def test_the_database_is_a_replica_set_whose_users_are_the_services(overlay):
    name, documents = overlay
    database = named(documents, "MongoDBCommunity", "mongodb")
    spec, namespace = database["spec"], database["metadata"]["namespace"]
    assert spec["type"] == "ReplicaSet" and spec["members"] == (3 if name == "production" else 1)
    assert re.fullmatch(r"\d+\.\d+\.\d+", spec["version"]) and "SCRAM" in spec["security"]["authentication"]["modes"]
    secrets = secret_values(documents)
    users = {}
    for user in spec["users"]:
        assert user["db"] and user["roles"] and user["scramCredentialsSecretName"]
        assert (namespace, user["passwordSecretRef"]["name"]) in secrets, user["name"]
        users[user["name"]] = user
    roles = {role["role"] for role in spec["security"].get("roles", [])}
    for user in users.values():
        for role in user["roles"]:
            assert role["name"] in roles | {"readWrite", "read"}, role
    uris = [urlsplit(values["MONGO_URI"]) for values in secrets.values() if "MONGO_URI" in values]
    assert uris and {uri.username for uri in uris} == set(users)
    for uri in uris:
        assert uri.hostname == f"mongodb-svc.{namespace}.svc.cluster.local" and uri.port == 27017
        assert f"replicaSet={database['metadata']['name']}" in uri.query


def test_the_services_scale_on_the_queues_they_declare_and_the_http_processes_on_cpu(production):
    deployments = {d["metadata"]["name"] for d in of_kind(production, "Deployment")}
    queues = declared_queues()
    authentications = {d["metadata"]["name"]: d for d in of_kind(production, "TriggerAuthentication")}
    secrets = secret_values(production)
    scaled = {}
    for scaled_object in of_kind(production, "ScaledObject"):
        target = scaled_object["spec"]["scaleTargetRef"]["name"]
        assert target in deployments
        scaled[target] = scaled_object
        for trigger in scaled_object["spec"]["triggers"]:
            assert trigger["type"] == "rabbitmq" and trigger["metadata"]["mode"] == "QueueLength"
            assert trigger["metadata"]["queueName"] in queues, trigger["metadata"]["queueName"]
            assert int(trigger["metadata"]["value"]) > 0
            authentication = authentications[trigger["authenticationRef"]["name"]]
            for reference in authentication["spec"]["secretTargetRef"]:
                assert reference["key"] in secrets[("message-center", reference["name"])]
    assert set(scaled) == {deployment_name(process) for process in nameko_services()}
    every_rpc_queue = {f"rpc-{process}" for process in nameko_services()}
    read = {t["metadata"]["queueName"] for s in scaled.values() for t in s["spec"]["triggers"]}
    assert every_rpc_queue <= read
    autoscaled = {hpa["spec"]["scaleTargetRef"]["name"] for hpa in of_kind(production, "HorizontalPodAutoscaler")}
    assert {"gateway", "push"} <= autoscaled and not autoscaled & set(scaled)


def test_every_process_with_metrics_is_scraped_on_a_port_it_has(production):
    deployments = {d["metadata"]["name"]: d for d in of_kind(production, "Deployment")}

    def pods_with(labels):
        return [
            d for d in deployments.values() if labels.items() <= d["spec"]["template"]["metadata"]["labels"].items()
        ]

    scraped = set()
    for monitor in of_kind(production, "PodMonitor"):
        [pod] = pods_with(monitor["spec"]["selector"]["matchLabels"])
        ports = {
            port["name"]
            for container in pod["spec"]["template"]["spec"]["containers"]
            for port in container.get("ports", [])
        }
        assert {endpoint["port"] for endpoint in monitor["spec"]["podMetricsEndpoints"]} <= ports
        scraped.add(pod["metadata"]["name"])
    services = of_kind(production, "Service")
    for monitor in of_kind(production, "ServiceMonitor"):
        [service] = [
            s
            for s in services
            if monitor["spec"]["selector"]["matchLabels"].items() <= s["metadata"].get("labels", {}).items()
        ]
        assert {e["port"] for e in monitor["spec"]["endpoints"]} <= {p["name"] for p in service["spec"]["ports"]}
        scraped.add(service["metadata"]["name"])
    assert {deployment_name(process) for process in nameko_services()} | {"gateway"} <= scraped


def test_every_metric_an_alert_or_a_panel_uses_exists(production):
    defined = defined_metrics()
    rules = [
        rule
        for prometheus_rule in of_kind(production, "PrometheusRule")
        for group in prometheus_rule["spec"]["groups"]
        for rule in group["rules"]
    ]
    assert {"OutboxBacklogGrowing", "MailsFailing", "QuestionsEscalated"} <= {rule["alert"] for rule in rules}
    dashboard = json.loads(named(production, "ConfigMap", "message-center-dashboard")["data"]["dashboard.json"])
    expressions = [rule["expr"] for rule in rules] + [
        target["expr"] for panel in dashboard["panels"] for target in panel["targets"]
    ]
    used = {name for expression in expressions for name in METRIC.findall(expression)}
    assert used and not used - defined, sorted(used - defined)
