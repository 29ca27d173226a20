"""k8s/ is valid for current Kubernetes (checked offline against its API schemas, strictly)
and runs every process safely: probes, resource bounds, no root, pinned images, every
setting from the ConfigMap or the process's own Secret, no more secrets than it reads."""

import copy
from urllib.parse import urlsplit

import kubernetes_validate
import pytest
import yaml

from dev.ports import free_port
from gateway.app import MAX_BODY_BYTES, create_app
from gateway.push import HEARTBEAT_SECONDS
from gateway.uploads import ENVELOPE_BYTES
from services.common.config import Settings
from services.common.secrets_policy import weakness_of
from tests.deploy.layout import (
    K8S_DIR,
    SECRET_VARIABLES,
    compose,
    deployment_name,
    dockerfile_stages,
    image_tag,
    is_pinned,
    k8s_documents,
    k8s_objects,
    nameko_services,
    procfile,
    quantity,
    required_environment,
)
from tests.fixtures.callers import CALLER_SIGNING_KEY

# The secret settings each process reads (`grep -rn "settings\." gateway services`): its
# Secret holds these and nothing more.
SECRETS_OF_PROCESS = {
    # /readyz pings the broker and the database.
    # It also writes and sends attachments' bytes (GridFS) and checks their links.
    "gateway": {"JWT_SECRET", "CALLER_SIGNING_KEY", "AMQP_URI", "MONGO_URI", "METRICS_TOKEN", "ATTACHMENT_URL_KEY"},
    # It hears the events and checks the pages' tokens, and serves /metrics; no database.
    "push": {"JWT_SECRET", "AMQP_URI", "METRICS_TOKEN"},
    # Each checks the callers it is given, and signs its own calls to the others.
    "conversations": {"CALLER_SIGNING_KEY", "AMQP_URI", "MONGO_URI", "ATTACHMENT_URL_KEY"},
    "catalog_context": {"CALLER_SIGNING_KEY", "AMQP_URI", "MONGO_URI", "CSCART_API_KEY"},
    # It also signs its mails' reply addresses.
    "notifications": {"CALLER_SIGNING_KEY", "AMQP_URI", "MONGO_URI", "REPLY_SIGNING_KEY"},
    # It checks reply addresses and forwarded mail's signatures, keeps its record of mails and
    # their files, and serves /metrics; it holds no key to sign a caller (the notifications
    # service posts a reply as the person it signs).
    "inbound_mail": {"REPLY_SIGNING_KEY", "INBOUND_HTTP_SIGNING_KEY", "AMQP_URI", "MONGO_URI", "METRICS_TOKEN"},
}

# The oldest Kubernetes still supported upstream, and the newest the validator ships.
KUBERNETES_VERSIONS = sorted({"1.33.0", kubernetes_validate.latest_version()})


@pytest.fixture(scope="module")
def deployments():
    return {deployment["metadata"]["name"]: deployment for deployment in k8s_objects("Deployment")}


def the_container(deployment: dict) -> dict:
    containers = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def validation_problem(document: dict, version: str) -> str | None:
    try:
        kubernetes_validate.validate(document, version, strict=True)
    except kubernetes_validate.ValidationError as error:
        return f"{error.message} at {'.'.join(map(str, error.absolute_path))}"
    except kubernetes_validate.SchemaNotFoundError:
        return f"{document['apiVersion']} {document['kind']} does not exist in {version}"
    return None


@pytest.mark.parametrize("version", KUBERNETES_VERSIONS)
def test_every_manifest_is_valid_for_kubernetes(version):
    problems = [
        f"{path.name}: {document['kind']} {document['metadata']['name']}: {problem}"
        for path, document in k8s_documents()
        if (problem := validation_problem(document, version))
    ]
    assert not problems, "\n".join(problems)


def test_the_validation_refuses_removed_apis_and_unknown_fields(deployments):
    # If this passed, the check above would prove nothing.
    removed = copy.deepcopy(deployments["gateway"])
    removed["apiVersion"] = "extensions/v1beta1"
    misspelt = copy.deepcopy(deployments["gateway"])
    the_container(misspelt)["livenesProbe"] = the_container(misspelt).pop("livenessProbe")
    for version in KUBERNETES_VERSIONS:
        assert validation_problem(removed, version)
        assert "livenesProbe" in validation_problem(misspelt, version)


def test_kustomization_applies_every_manifest():
    kustomization = yaml.safe_load((K8S_DIR / "kustomization.yaml").read_text())
    manifests = {path.name for path in K8S_DIR.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == manifests


def test_everything_is_in_the_namespace():
    [namespace] = k8s_objects("Namespace")
    for _, document in k8s_documents():
        if document["kind"] != "Namespace":
            assert document["metadata"]["namespace"] == namespace["metadata"]["name"]


def test_a_deployment_per_process_runs_its_procfile_command(deployments):
    assert set(deployments) == {deployment_name(process) for process in procfile()}
    for process, argv in procfile().items():
        container = the_container(deployments[deployment_name(process)])
        assert container["command"] + container.get("args", []) == argv


def test_each_deployment_selects_its_own_pods(deployments):
    for name, deployment in deployments.items():
        selector = deployment["spec"]["selector"]["matchLabels"]
        labels = deployment["spec"]["template"]["metadata"]["labels"]
        assert selector.items() <= labels.items(), name
    for other in deployments.values():
        pods = other["spec"]["template"]["metadata"]["labels"]
        chosen_by = [
            name
            for name, deployment in deployments.items()
            if deployment["spec"]["selector"]["matchLabels"].items() <= pods.items()
        ]
        assert len(chosen_by) == 1, f"pods selected by {chosen_by}"


def test_nameko_services_are_ready_over_the_broker_and_alive_by_their_heartbeat(deployments):
    for process in nameko_services():
        container = the_container(deployments[deployment_name(process)])
        for probe in ("startupProbe", "readinessProbe"):
            assert container[probe]["exec"]["command"] == ["python", "-m", "services.common.probe", process], (
                process,
                probe,
            )
        assert container["livenessProbe"]["exec"]["command"] == ["python", "-m", "services.common.probe", "--alive"], (
            process
        )
        for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
            # The probe gives up after 5 s by itself: the kubelet must wait longer than that.
            assert container[probe]["timeoutSeconds"] > 5, (process, probe)


def test_no_liveness_probe_asks_the_broker_or_the_database(deployments):
    # Otherwise an outage of either restarts every pod at once, and a restart cures neither.
    for name, deployment in deployments.items():
        liveness = the_container(deployment)["livenessProbe"]
        if "exec" in liveness:
            command = liveness["exec"]["command"]
            assert command[:3] == ["python", "-m", "services.common.probe"], name
            assert "--alive" in command and not set(command) & set(nameko_services()), name
        else:
            assert liveness["httpGet"]["path"] == "/healthz", name


@pytest.mark.parametrize("process", ["gateway", "push", "inbound_mail"])
def test_http_processes_are_ready_when_their_dependencies_are_and_alive_while_they_run(deployments, process):
    container = the_container(deployments[deployment_name(process)])
    [port] = [port for port in container["ports"] if port["name"] == "http"]
    assert container["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": port["name"]}
    assert container["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": port["name"]}


def test_the_inbound_process_takes_smtp_on_port_25_and_http_where_its_settings_say():
    [config_map] = k8s_objects("ConfigMap")
    [deployment] = [item for item in k8s_objects("Deployment") if item["metadata"]["name"] == "inbound-mail"]
    ports = {port["name"]: port["containerPort"] for port in the_container(deployment)["ports"]}
    assert ports == {
        "smtp": int(config_map["data"]["INBOUND_SMTP_PORT"]),
        "http": int(config_map["data"]["INBOUND_HTTP_PORT"]),
    }
    services = {service["metadata"]["name"]: service for service in k8s_objects("Service")}
    smtp = services["inbound-mail-smtp"]["spec"]
    # What the reply domain's MX points at: reachable from outside, on SMTP's port.
    assert smtp["type"] == "LoadBalancer" and smtp["ports"] == [
        {"name": "smtp", "port": 25, "targetPort": "smtp", "protocol": "TCP"}
    ]
    assert [port["targetPort"] for port in services["inbound-mail"]["spec"]["ports"]] == ["http"]
    pods = deployment["spec"]["template"]["metadata"]["labels"]
    for name in ("inbound-mail", "inbound-mail-smtp"):
        assert services[name]["spec"]["selector"].items() <= pods.items()
    assert int(config_map["data"]["INBOUND_MAX_BYTES"]) == Settings().INBOUND_MAX_BYTES


def test_the_gateway_is_alive_while_the_broker_and_the_database_are_not():
    nothing_listens = free_port()
    settings = Settings(
        AMQP_URI=f"pyamqp://guest:guest@127.0.0.1:{nothing_listens}/",
        MONGO_URI=f"mongodb://127.0.0.1:{nothing_listens}/",
        JWT_SECRET="k8s-test-secret-" + "k" * 32,
        CALLER_SIGNING_KEY=CALLER_SIGNING_KEY,
    )
    client = create_app(settings).test_client()
    assert client.get("/healthz").status_code == 200
    assert client.get("/readyz").status_code == 503


def test_every_deployment_has_a_disruption_budget_for_exactly_its_pods(deployments):
    budgets = k8s_objects("PodDisruptionBudget")
    for name, deployment in deployments.items():
        pods = deployment["spec"]["template"]["metadata"]["labels"]
        covering = [budget for budget in budgets if budget["spec"]["selector"]["matchLabels"].items() <= pods.items()]
        assert len(covering) == 1, f"{name}: {len(covering)} budgets"
        [budget] = covering
        # The same pods as the Deployment, no more: a budget over two Deployments would let
        # a drain take the last pod of one of them.
        assert budget["spec"]["selector"] == deployment["spec"]["selector"], name
        # One pod at a time: a drain goes on, and another pod keeps serving.
        assert budget["spec"]["maxUnavailable"] == 1 < deployment["spec"]["replicas"], name
    assert len(budgets) == len(deployments)


def test_the_gateway_service_reaches_the_port_gunicorn_listens_on(deployments):
    [service] = [service for service in k8s_objects("Service") if service["metadata"]["name"] == "gateway"]
    gateway = deployments["gateway"]
    assert service["spec"]["selector"].items() <= gateway["spec"]["template"]["metadata"]["labels"].items()
    [container_port] = the_container(gateway)["ports"]
    assert [port["targetPort"] for port in service["spec"]["ports"]] == [container_port["name"]]
    # gunicorn binds GATEWAY_PORT (the ConfigMap's, over the image's default).
    [config_map] = k8s_objects("ConfigMap")
    assert config_map["data"]["GATEWAY_PORT"] == str(container_port["containerPort"])


def test_the_ingress_reads_requests_whole_for_the_gateway_and_streams_events_from_push():
    annotation = "nginx.ingress.kubernetes.io/"
    routes, hosts = {}, set()
    for ingress in k8s_objects("Ingress"):
        assert ingress["spec"]["ingressClassName"] == "nginx"
        for rule in ingress["spec"]["rules"]:
            hosts.add(rule["host"])
            for path in rule["http"]["paths"]:
                routes[path["path"]] = (
                    path["pathType"],
                    path["backend"]["service"],
                    ingress["metadata"]["annotations"],
                )
    assert len(hosts) == 1, "the pages find the stream on the API's host (events-url's default)"
    service_ports = {
        service["metadata"]["name"]: {port["name"] for port in service["spec"]["ports"]}
        for service in k8s_objects("Service")
    }

    kind, backend, api = routes["/"]
    assert (kind, backend["name"]) == ("Prefix", "gateway")
    assert backend["port"]["name"] in service_ports["gateway"]
    assert api[annotation + "proxy-request-buffering"] == api[annotation + "proxy-buffering"] == "on"
    assert api[annotation + "proxy-body-size"] == f"{MAX_BODY_BYTES // 1024}k"

    # uploads alone take a file and its envelope, read whole as well
    kind, backend, uploads = routes["/v1/uploads"]
    assert (kind, backend["name"]) == ("Exact", "gateway")
    assert uploads[annotation + "proxy-request-buffering"] == "on"
    assert uploads[annotation + "proxy-body-size"] == f"{(Settings().ATTACHMENT_MAX_BYTES + ENVELOPE_BYTES) // 1024}k"

    kind, backend, events = routes["/v1/events"]
    assert (kind, backend["name"]) == ("Exact", "push")
    assert backend["port"]["name"] in service_ports["push"]
    assert events[annotation + "proxy-request-buffering"] == "on"
    assert events[annotation + "proxy-buffering"] == "off"
    assert int(events[annotation + "proxy-read-timeout"]) > HEARTBEAT_SECONDS
    # push counts pages per address from the entry the controller writes to X-Forwarded-For.
    [config_map] = k8s_objects("ConfigMap")
    assert config_map["data"]["PUSH_PROXY_HOPS"] == "1"

    # mail forwarded by a provider: a whole mail, read whole
    kind, backend, mail = routes["/v1/inbound-mail"]
    assert (kind, backend["name"]) == ("Exact", "inbound-mail")
    assert backend["port"]["name"] in service_ports["inbound-mail"]
    assert mail[annotation + "proxy-request-buffering"] == "on"
    assert mail[annotation + "proxy-body-size"] == f"{Settings().INBOUND_MAX_BYTES // 1024}k"


def test_every_container_has_bounded_resources(deployments):
    for name, deployment in deployments.items():
        resources = the_container(deployment)["resources"]
        for resource in ("cpu", "memory"):
            request = quantity(resources["requests"][resource])
            limit = quantity(resources["limits"][resource])
            assert 0 < request <= limit, (name, resource)


def test_every_pod_runs_locked_down_as_the_image_user(deployments):
    image_user = int(dockerfile_stages()[-1].all("USER")[-1].split(":")[0])
    for name, deployment in deployments.items():
        pod = deployment["spec"]["template"]["spec"]
        container = the_container(deployment)
        assert pod["securityContext"]["runAsNonRoot"] is True, name
        assert pod["securityContext"]["runAsUser"] == image_user != 0, name
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault", name
        assert pod.get("automountServiceAccountToken") is False, name
        context = container["securityContext"]
        assert context["allowPrivilegeEscalation"] is False, name
        assert context["readOnlyRootFilesystem"] is True, name
        assert context["capabilities"]["drop"] == ["ALL"], name
        assert not context["capabilities"].get("add"), name
        # Read-only root: temporary files need a volume of their own.
        mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
        volumes = {volume["name"]: volume for volume in pod["volumes"]}
        assert "emptyDir" in volumes[mounts["/tmp"]], name


def test_every_image_is_the_release_built_from_the_dockerfile(deployments):
    images = {the_container(deployment)["image"] for deployment in deployments.values()}
    assert len(images) == 1
    [image] = images
    assert is_pinned(image), image
    # The same release as docker-compose builds.
    assert image_tag(image) == image_tag(compose()["services"]["gateway"]["image"])


def secrets() -> dict[str, dict[str, str]]:
    """Secret name → its keys and values."""
    return {secret["metadata"]["name"]: secret["stringData"] for secret in k8s_objects("Secret")}


def readable_secrets(deployment: dict) -> set[str]:
    """Every secret key the Deployment's pods are given, however they are given it."""
    stored, pod = secrets(), deployment["spec"]["template"]["spec"]
    container = the_container(deployment)
    keys = set()
    for source in container.get("envFrom", []):
        if "secretRef" in source:
            keys |= set(stored[source["secretRef"]["name"]])
    for variable in container.get("env", []):
        if "secretKeyRef" in variable.get("valueFrom", {}):
            keys.add(variable["valueFrom"]["secretKeyRef"]["key"])
    for volume in pod.get("volumes", []):
        if "secret" in volume:
            keys |= set(stored[volume["secret"]["secretName"]])
    return keys


def test_every_setting_comes_from_the_config_map_or_the_process_own_secret(deployments):
    [config_map] = k8s_objects("ConfigMap")
    plain = set(config_map["data"])
    hidden = set().union(*secrets().values())
    assert not plain & hidden, "a setting in both: which one wins is a surprise"
    assert SECRET_VARIABLES <= hidden and not SECRET_VARIABLES & plain
    missing = required_environment() - SECRET_VARIABLES - plain
    assert not missing, f"no value for {sorted(missing)}"
    for process, needed in SECRETS_OF_PROCESS.items():
        sources = the_container(deployments[deployment_name(process)])["envFrom"]
        assert {"configMapRef": {"name": config_map["metadata"]["name"]}} in sources, process
        [own] = [source["secretRef"]["name"] for source in sources if "secretRef" in source]
        assert own == f"{deployment_name(process)}-secrets", process
        assert needed <= set(secrets()[own]), process


def test_each_deployment_can_read_exactly_the_secrets_its_process_reads(deployments):
    assert set(SECRETS_OF_PROCESS) == set(procfile())
    readable = {process: readable_secrets(deployments[deployment_name(process)]) for process in procfile()}
    assert readable == SECRETS_OF_PROCESS
    # Whoever knows JWT_SECRET can mint any caller, an admin included.
    assert {process for process, keys in readable.items() if "JWT_SECRET" in keys} == {"gateway", "push"}
    # Whoever knows CALLER_SIGNING_KEY can pass as any caller to the services: push makes no RPC.
    assert {process for process, keys in readable.items() if "CALLER_SIGNING_KEY" in keys} == {
        "gateway",
        "conversations",
        "catalog_context",
        "notifications",
    }
    assert {process for process, keys in readable.items() if "CSCART_API_KEY" in keys} == {"catalog_context"}
    # Whoever knows REPLY_SIGNING_KEY can make reply addresses: the one that writes them and the
    # one that reads them.
    assert {process for process, keys in readable.items() if "REPLY_SIGNING_KEY" in keys} == {
        "notifications",
        "inbound_mail",
    }
    # A Secret of its own each: none is shared, none lies unused.
    used = [
        source["secretRef"]["name"]
        for deployment in deployments.values()
        for source in the_container(deployment)["envFrom"]
        if "secretRef" in source
    ]
    assert sorted(used) == sorted(secrets())


def test_every_secret_holds_placeholders_only():
    # Real credentials never go into git: every value is marked for replacement or empty.
    assert secrets()
    for secret in k8s_objects("Secret"):
        assert "data" not in secret, "base64 would hide what a value is"
        for name, value in secret["stringData"].items():
            assert value == "" or "REPLACE-ME" in value, (secret["metadata"]["name"], name)
            if name in ("JWT_SECRET", "CALLER_SIGNING_KEY", "REPLY_SIGNING_KEY"):
                # Deployed unchanged, the processes that hold it refuse to start on it.
                assert weakness_of(value, name), secret["metadata"]["name"]
    assert "REPLACE" in (K8S_DIR / "secret.yaml").read_text().splitlines()[0]


def strings_in(value) -> list[str]:
    if isinstance(value, dict):
        return [text for item in value.values() for text in strings_in(item)]
    if isinstance(value, list):
        return [text for item in value for text in strings_in(item)]
    return [value] if isinstance(value, str) else []


def test_no_process_connects_to_the_broker_as_guest():
    # RabbitMQ's default user, with its well-known password and every permission.
    for path, document in k8s_documents():
        assert not [text for text in strings_in(document) if "guest:guest" in text], path.name
    broker_uris = [values["AMQP_URI"] for values in secrets().values() if "AMQP_URI" in values]
    assert broker_uris
    for uri in broker_uris:
        assert urlsplit(uri).username not in (None, "", "guest"), uri
