"""deploy/k8s: each overlay renders with `kubectl kustomize`, every object is valid against the
Kubernetes schemas, and the objects fit together the way the bot needs (probes, drain, labels)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from bot.slack.config import Config
from tests.deploy.test_image import DOCKERFILE, parse_dockerfile, run_user
from tests.support.bot_process import ROOT

K8S = ROOT / "deploy" / "k8s"
OVERLAYS = ["production", "dev", "production-failover"]
KUBERNETES_VERSION = "1.30.0"  # the oldest release still supported by the major clouds


def render(overlay: str, k8s: Path = K8S) -> list[dict]:
    kubectl = shutil.which("kubectl")
    if kubectl is None:
        pytest.skip("kubectl is not installed: it renders the Kustomize overlays")
    run = subprocess.run(
        [kubectl, "kustomize", str(k8s / "overlays" / overlay)],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return [doc for doc in yaml.safe_load_all(run.stdout) if doc]


def objects(overlay: str, kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in render(overlay) if o["kind"] == kind}


def bot_deployment(overlay: str) -> dict:
    return objects(overlay, "Deployment")["aicost"]


def matches(selector: dict, labels: dict) -> bool:
    return selector.items() <= labels.items()


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_every_object_is_valid_against_the_kubernetes_schemas(overlay):
    import kubernetes_validate

    rendered = render(overlay)
    kinds = {o["kind"] for o in rendered}
    assert {"Deployment", "Service", "HorizontalPodAutoscaler", "PodDisruptionBudget"} <= kinds
    assert {"ConfigMap", "NetworkPolicy"} <= kinds
    for obj in rendered:
        kubernetes_validate.validate(obj, KUBERNETES_VERSION, strict=True)
    template = yaml.safe_load((K8S / "secret.template.yaml").read_text())
    kubernetes_validate.validate(template, KUBERNETES_VERSION, strict=True)


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_no_secret_value_is_shipped(overlay):
    assert not objects(overlay, "Secret"), "the Secret is created by the operator, not applied"
    template = yaml.safe_load((K8S / "secret.template.yaml").read_text())
    assert set(template["stringData"].values()) == {""}
    assert {"SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET"} <= template["stringData"].keys()
    refs = bot_deployment(overlay)["spec"]["template"]["spec"]["containers"][0]["envFrom"]
    assert {"secretRef": {"name": template["metadata"]["name"]}} in refs


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_bot_pods_probe_drain_and_run_as_the_image_user(overlay):
    deployment = bot_deployment(overlay)
    assert deployment["spec"]["replicas"] >= 2
    pod = deployment["spec"]["template"]["spec"]
    (bot,) = pod["containers"]
    assert bot["livenessProbe"]["httpGet"]["path"] == "/livez"
    assert bot["startupProbe"]["httpGet"]["path"] == "/livez"
    assert bot["readinessProbe"]["httpGet"]["path"] == "/readyz"
    # The drain (SHUTDOWN_GRACE_SECONDS) and the preStop pause fit in the grace period.
    config = objects(overlay, "ConfigMap")["aicost-config"]["data"]
    Config(
        slack_bot_token="x", slack_signing_secret="y", **{k.lower(): v for k, v in config.items()}
    )
    pause = int(bot["lifecycle"]["preStop"]["exec"]["command"][-1])
    grace = float(config["SHUTDOWN_GRACE_SECONDS"])
    assert pod["terminationGracePeriodSeconds"] > pause + grace
    assert bot["ports"][0]["containerPort"] == int(config["PORT"])
    # Memory sized from the benchmarks (246 MB peak for the bot, its estimate worker and its chart
    # worker), with headroom.
    memory = bot["resources"]
    assert memory["requests"]["memory"] == "256Mi" and memory["limits"]["memory"] == "384Mi"
    assert pod["securityContext"]["runAsNonRoot"] is True
    image_user = run_user(parse_dockerfile(DOCKERFILE.read_text())[-1])
    assert pod["securityContext"]["runAsUser"] == image_user
    assert bot["securityContext"]["readOnlyRootFilesystem"] is True


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_service_pdb_hpa_and_network_policy_select_the_bot_pods(overlay):
    deployment = bot_deployment(overlay)
    labels = deployment["spec"]["template"]["metadata"]["labels"]
    assert matches(objects(overlay, "Service")["aicost"]["spec"]["selector"], labels)
    pdb = objects(overlay, "PodDisruptionBudget")["aicost"]["spec"]
    assert matches(pdb["selector"]["matchLabels"], labels) and pdb["minAvailable"] >= 1
    hpa = objects(overlay, "HorizontalPodAutoscaler")["aicost"]["spec"]
    assert hpa["scaleTargetRef"]["name"] == "aicost" and hpa["minReplicas"] >= 2
    policy = objects(overlay, "NetworkPolicy")["aicost"]["spec"]
    assert matches(policy["podSelector"]["matchLabels"], labels)


def test_production_uses_a_managed_redis_and_ends_tls_at_the_ingress():
    assert "aicost-redis" not in objects("production", "Deployment")
    (bot,) = bot_deployment("production")["spec"]["template"]["spec"]["containers"]
    assert "env" not in bot  # REDIS_URL comes from the Secret
    assert not bot["image"].endswith(":latest")
    ingress = objects("production", "Ingress")["aicost"]["spec"]
    assert ingress["tls"][0]["secretName"]
    paths = [p["path"] for rule in ingress["rules"] for p in rule["http"]["paths"]]
    # Slack's requests and the shareable estimate pages; /metrics and the probes stay inside.
    assert paths == ["/slack/events", "/e/"]
    config = objects("production", "ConfigMap")["aicost-config"]["data"]
    assert config["PUBLIC_URL"] == f"https://{ingress['rules'][0]['host']}"


def test_dev_overlay_runs_its_own_redis_with_aof_reached_by_the_bot():
    redis_deployment = objects("dev", "Deployment")["aicost-redis"]
    (redis,) = redis_deployment["spec"]["template"]["spec"]["containers"]
    assert redis["args"][:2] == ["--appendonly", "yes"]
    service = objects("dev", "Service")["aicost-redis"]
    (bot,) = bot_deployment("dev")["spec"]["template"]["spec"]["containers"]
    url = {e["name"]: e["value"] for e in bot["env"]}["REDIS_URL"]
    assert url.startswith(
        f"redis://{service['metadata']['name']}:{service['spec']['ports'][0]['port']}"
    )


def test_the_failover_overlay_sets_replica_waits_and_reaches_the_sentinels():
    config = objects("production-failover", "ConfigMap")["aicost-config"]["data"]
    known = {name.upper() for name in Config.model_fields}
    assert config.keys() <= known
    assert config["REDIS_WAIT_REPLICAS"] == "1" and config["JOB_STREAM_PARTITIONS"] == "1"
    assert float(config["JOB_CLAIM_IDLE_SECONDS"]) >= 30  # well above a failover
    egress = objects("production-failover", "NetworkPolicy")["aicost"]["spec"]["egress"]
    ports = {p["port"] for rule in egress for p in rule.get("ports", [])}
    assert {6379, 6380, 26379} <= ports
    assert "aicost-redis" not in objects("production-failover", "Deployment")


@pytest.mark.parametrize("overlay", ["production", "production-failover"])
def test_behind_the_ingress_the_page_limit_counts_each_visitor_not_the_controller(overlay):
    from bot.slack.client_address import TrustedProxies, parse_networks

    assert "/e/" in [
        p["path"] for rule in objects(overlay, "Ingress")["aicost"]["spec"]["rules"]
        for p in rule["http"]["paths"]
    ]  # fmt: skip
    config = objects(overlay, "ConfigMap")["aicost-config"]["data"]
    proxies = TrustedProxies(parse_networks(config["TRUSTED_PROXIES"]))
    # A controller pod on kind's or AKS's pod network forwarding for a visitor on the internet.
    assert proxies.client("10.244.1.17", ["198.51.100.23"]) == "198.51.100.23"
    assert proxies.client("198.51.100.23", ["192.0.2.1"]) == "198.51.100.23"  # not via the ingress
    comment = (K8S / "overlays" / "production" / "trusted-proxies.yaml").read_text()
    assert "NARROW IT" in comment and "pod" in comment  # the operator is told what to set


def admits(policy: dict, namespace: str, port: str, pod_labels: dict | None = None) -> bool:
    """Whether the bot's NetworkPolicy lets a pod in `namespace` reach the container port named
    `port`, as the API defines it: any rule whose peers and ports both match (a rule without
    `from` admits every source; a namespace is matched by the label the API server sets)."""
    namespace_labels = {"kubernetes.io/metadata.name": namespace}
    for rule in policy["spec"].get("ingress", []):
        if not any(p["port"] == port for p in rule.get("ports", [{"port": port}])):
            continue
        peers = rule.get("from")
        if peers is None:
            return True
        for peer in peers:
            assert "ipBlock" not in peer  # none shipped; a test for it would be needed
            namespaces = peer.get("namespaceSelector")
            pods = peer.get("podSelector")
            in_namespace = (
                matches(namespaces.get("matchLabels", {}), namespace_labels)
                if namespaces is not None
                else namespace == policy["metadata"]["namespace"]
            )
            if in_namespace and (
                pods is None or matches(pods.get("matchLabels", {}), pod_labels or {})
            ):
                return True
    return False


@pytest.mark.parametrize("overlay", OVERLAYS)
def test_only_the_ingress_controller_and_prometheus_reach_the_bots_port(overlay):
    policy = objects(overlay, "NetworkPolicy")["aicost"]
    own = policy["metadata"]["namespace"]
    assert admits(policy, "ingress-nginx", "http")  # the Ingress controller, forwarding visitors
    assert admits(policy, "monitoring", "http")  # Prometheus, scraping /metrics
    # Any other pod, in its own namespace or the bot's, is refused: with TRUSTED_PROXIES trusting
    # private ranges it could otherwise pick its bucket of the pages' rate limit.
    for namespace in ("default", own, "kube-system"):
        assert not admits(policy, namespace, "http", {"app": "anything"}), namespace
    assert not admits(policy, "ingress-nginx", "metrics")  # no other port, from anyone
    for rule in policy["spec"]["ingress"]:
        for peer in rule["from"]:  # no rule without peers, no peer of every namespace
            assert peer["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]


def test_the_allowed_namespaces_are_set_where_the_production_overlay_says(tmp_path):
    k8s = tmp_path / "k8s"
    shutil.copytree(K8S, k8s)
    allowed = k8s / "overlays" / "production" / "allowed-namespaces.yaml"
    text = allowed.read_text()
    assert "SET THEM" in text  # the operator is told what to set
    allowed.write_text(text.replace("value: ingress-nginx", "value: traefik"))
    for overlay in ("production", "production-failover"):
        (policy,) = [o for o in render(overlay, k8s) if o["kind"] == "NetworkPolicy"]
        assert admits(policy, "traefik", "http") and admits(policy, "monitoring", "http")
        assert not admits(policy, "ingress-nginx", "http")
