"""k8s/base/network-policies.yaml: nothing reaches a pod of the namespace, nor leaves one, unless
that process's job needs it; the ports and places agree with the settings in k8s/."""

import ipaddress
from urllib.parse import urlsplit

import pytest

from tests.deploy.layout import deployment_name, k8s_objects, nameko_services, procfile

DNS = {(53, "UDP"), (53, "TCP")}
HTTPS = 443
# Addresses no webhook or CS-Cart call may reach: private networks, the cloud metadata service.
INSIDE = ["10.0.0.1", "172.16.0.1", "192.168.1.1", "100.64.0.1", "169.254.169.254", "fd00::1", "fe80::1"]
OUTSIDE = ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]


@pytest.fixture(scope="module")
def policies():
    return k8s_objects("NetworkPolicy")


def deployment(process: str) -> dict:
    [found] = [item for item in k8s_objects("Deployment") if item["metadata"]["name"] == deployment_name(process)]
    return found


def secret_of(process: str) -> dict[str, str]:
    [found] = [
        item["stringData"]
        for item in k8s_objects("Secret")
        if item["metadata"]["name"] == f"{deployment_name(process)}-secrets"
    ]
    return found


def selecting(policies: list[dict], process: str) -> list[dict]:
    pods = deployment(process)["spec"]["template"]["metadata"]["labels"]
    for policy in policies:
        assert set(policy["spec"]["podSelector"]) <= {"matchLabels"}, "only matchLabels is read here"
    return [
        policy for policy in policies if policy["spec"]["podSelector"].get("matchLabels", {}).items() <= pods.items()
    ]


def rules(policies: list[dict], process: str, direction: str) -> list[dict]:
    return [rule for policy in selecting(policies, process) for rule in policy["spec"].get(direction, [])]


def egress_to(policies: list[dict], process: str, port: int) -> list[dict]:
    """The peers a process may reach on a TCP port."""
    return [
        peer
        for rule in rules(policies, process, "egress")
        if {"port": port, "protocol": "TCP"} in rule["ports"]
        for peer in rule["to"]
    ]


def namespace_of(uri: str) -> str:
    """`host.namespace.svc.cluster.local` → namespace."""
    return urlsplit(uri).hostname.split(".")[1]


def allows(peer: dict, address: str) -> bool:
    block = peer["ipBlock"]
    address = ipaddress.ip_address(address)
    network = ipaddress.ip_network(block["cidr"])
    return (
        address.version == network.version
        and address in network
        and not any(
            address in ipaddress.ip_network(excepted)
            for excepted in block.get("except", [])
            if ipaddress.ip_network(excepted).version == address.version
        )
    )


def test_the_namespace_denies_every_connection_no_policy_allows(policies):
    [default] = [policy for policy in policies if policy["spec"]["podSelector"] == {}]
    assert sorted(default["spec"]["policyTypes"]) == ["Egress", "Ingress"]
    assert "ingress" not in default["spec"] and "egress" not in default["spec"]


def test_every_deployment_is_selected_by_a_policy_of_its_own(policies):
    for process in procfile():
        own = [policy for policy in selecting(policies, process) if policy["spec"]["podSelector"]]
        assert len(own) == 1, f"{process}: {len(own)} policies"
        assert sorted(own[0]["spec"]["policyTypes"]) == ["Egress", "Ingress"], process


def test_the_nameko_services_accept_no_connection(policies):
    # Their calls and events come over connections they open to the broker.
    for process in nameko_services():
        assert not rules(policies, process, "ingress"), process


def test_only_the_gateway_push_and_the_inbound_process_accept_connections_and_on_their_ports_only(policies):
    accepting = {process for process in procfile() if rules(policies, process, "ingress")}
    assert accepting == {"gateway", "push", "inbound_mail"}
    for process in accepting:
        [container] = deployment(process)["spec"]["template"]["spec"]["containers"]
        ports = [{"port": port["name"], "protocol": "TCP"} for port in container["ports"]]
        for rule in rules(policies, process, "ingress"):
            assert rule["ports"] == ports, process


def test_each_process_reaches_only_the_ports_its_job_needs(policies):
    [config_map] = k8s_objects("ConfigMap")
    smtp = int(config_map["data"]["SMTP_PORT"])
    for process in procfile():
        secret = secret_of(process)
        needed = {(urlsplit(secret["AMQP_URI"]).port, "TCP")} | DNS
        if "MONGO_URI" in secret:
            needed.add((urlsplit(secret["MONGO_URI"]).port, "TCP"))
        if process == "notifications":
            needed |= {(smtp, "TCP"), (HTTPS, "TCP")}  # mail, and the admins' webhooks
        if process == "catalog_context":
            needed.add((HTTPS, "TCP"))  # CS-Cart's REST API
        allowed = set()
        for rule in rules(policies, process, "egress"):
            assert rule.get("ports") and rule.get("to"), f"{process}: a rule without bounds"
            allowed |= {(port["port"], port["protocol"]) for port in rule["ports"]}
        assert allowed == needed, process


# How the operators (k8s/engines) label the pods of the broker and of the database.
POD_LABELS = {"rabbitmq": {"app.kubernetes.io/name": "rabbitmq"}, "mongodb": {"app": "mongodb-svc"}}


def test_the_broker_and_the_database_are_reached_where_the_secrets_point(policies):
    for process in procfile():
        secret = secret_of(process)
        targets = [("AMQP_URI", "rabbitmq")] + ([("MONGO_URI", "mongodb")] if "MONGO_URI" in secret else [])
        for setting, name in targets:
            uri = secret[setting]
            [peer] = egress_to(policies, process, urlsplit(uri).port)
            assert peer["namespaceSelector"]["matchLabels"] == {"kubernetes.io/metadata.name": namespace_of(uri)}, (
                process,
                setting,
            )
            assert peer["podSelector"]["matchLabels"] == POD_LABELS[name]


def test_https_goes_to_public_addresses_only(policies):
    # Webhooks and CS-Cart are on the internet; a crafted URL must not reach inside.
    for process in ("notifications", "catalog_context"):
        peers = egress_to(policies, process, HTTPS)
        assert peers and all(set(peer) == {"ipBlock"} for peer in peers), process
        for address in INSIDE:
            assert not any(allows(peer, address) for peer in peers), (process, address)
        for address in OUTSIDE:
            assert any(allows(peer, address) for peer in peers), (process, address)
