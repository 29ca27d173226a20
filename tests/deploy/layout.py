"""What the deployment files say, read the way Docker, docker-compose and Kubernetes read them.

The facts the deployments must agree with come from the code itself: the processes from the
Procfile, the settings from services/common/config.py and the variables config.yml reads.
"""

import json
import re
import shlex
import shutil
from dataclasses import dataclass, field, fields
from fnmatch import fnmatch
from pathlib import Path

import yaml

from dev.procfile import ROOT, processes
from services.common.config import Settings

DOCKERFILE = ROOT / "Dockerfile"
DOCKERIGNORE = ROOT / ".dockerignore"
COMPOSE_FILE = ROOT / "docker-compose.yml"
K8S_DIR = ROOT / "k8s" / "base"
PROXY_CONFIG = ROOT / "deploy" / "nginx.conf"

# The contract's "Running it" variables plus the links in mails (the brief's list).
CONTRACT_VARIABLES = {
    "AMQP_URI",
    "MONGO_URI",
    "MONGO_DB",
    "SMTP_HOST",
    "SMTP_PORT",
    "MAIL_FROM",
    "JWT_SECRET",
    "GATEWAY_PORT",
    "PORTAL_URL",
    "STOREFRONT_URL",
}
# Never in a ConfigMap or in plain compose defaults meant for production.
SECRET_VARIABLES = {
    "JWT_SECRET",
    "CALLER_SIGNING_KEY",
    "MONGO_URI",
    "AMQP_URI",
    "CSCART_API_KEY",
    "METRICS_TOKEN",
    "ATTACHMENT_URL_KEY",
    "REPLY_SIGNING_KEY",
    "INBOUND_HTTP_SIGNING_KEY",
}


def procfile() -> dict[str, list[str]]:
    """Process name → its command as argv."""
    return {name: shlex.split(command) for name, command in processes().items()}


def nameko_services() -> list[str]:
    return [name for name, argv in procfile().items() if argv[:2] == ["nameko", "run"]]


def service_module(argv: list[str]) -> str:
    """The Python module a Procfile command runs (`services.x.service`, `gateway.app`)."""
    if argv[0] == "nameko":
        return argv[-1]
    return argv[-1].split(":")[0]


def required_environment() -> set[str]:
    """Every variable a process reads: the Settings fields and config.yml's ${VAR:default}."""
    nameko_config = (ROOT / "config.yml").read_text()
    return {setting.name for setting in fields(Settings)} | set(re.findall(r"\$\{(\w+)(?::[^}]*)?\}", nameko_config))


def image_tag(reference: str) -> str | None:
    """The tag of `registry:port/name:tag` (None when there is none, or only a digest)."""
    name = reference.split("@")[0]
    last = name.rsplit("/", 1)[-1]
    return last.split(":", 1)[1] if ":" in last else None


def is_pinned(reference: str) -> bool:
    """An explicit version tag (at least major.minor), never `latest` nor a bare name."""
    tag = image_tag(reference)
    return tag is not None and "latest" not in tag and re.match(r"v?\d+\.\d+", tag) is not None


# --- docker-compose ----------------------------------------------------------------------


def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


def compose_command(service: dict) -> list[str]:
    command = service.get("command")
    return shlex.split(command) if isinstance(command, str) else list(command or [])


def compose_environment(service: dict) -> dict[str, str]:
    environment = service.get("environment") or {}
    if isinstance(environment, list):
        environment = dict(item.split("=", 1) for item in environment)
    return {key: str(value) for key, value in environment.items()}


# --- the proxy in front of the gateway (nginx) ---------------------------------------------


def proxy_listen_port() -> int:
    [port] = re.findall(r"^\s*listen\s+(\d+);", PROXY_CONFIG.read_text(), re.MULTILINE)
    return int(port)


def proxy_upstreams() -> dict[str, str]:
    """Upstream name → its one server, `host:port`."""
    return dict(re.findall(r"upstream\s+(\w+)\s*\{\s*server\s+([^;\s]+);\s*\}", PROXY_CONFIG.read_text()))


def proxy_locations() -> dict[str, set[str]]:
    """Path location (`/`, `= /v1/events`) → its directives, each as written without `;`."""
    blocks = re.findall(r"location\s+([^@{][^{]*?)\s*\{([^}]*)\}", PROXY_CONFIG.read_text())
    return {
        where: {
            line.strip().rstrip(";") for line in body.splitlines() if line.strip() and not line.strip().startswith("#")
        }
        for where, body in blocks
    }


def proxy_directive(name: str) -> list[str]:
    """The values a directive is given anywhere in deploy/nginx.conf."""
    return re.findall(rf"^\s*{name}\s+([^;]+);", PROXY_CONFIG.read_text(), re.MULTILINE)


# --- Kubernetes --------------------------------------------------------------------------


def k8s_documents() -> list[tuple[Path, dict]]:
    """Every object in k8s/ with the file it is in (kustomization.yaml is not an object)."""
    found = []
    for path in sorted(K8S_DIR.glob("*.y*ml")):
        if path.name == "kustomization.yaml":
            continue
        found += [(path, document) for document in yaml.safe_load_all(path.read_text()) if document]
    return found


def k8s_objects(kind: str) -> list[dict]:
    return [document for _, document in k8s_documents() if document["kind"] == kind]


def deployment_name(process: str) -> str:
    return process.replace("_", "-")  # object names are DNS labels: no underscores


def quantity(value) -> float:
    """A Kubernetes quantity as a number: '250m' → 0.25, '128Mi' → 134217728."""
    text = str(value)
    units = {"m": 1e-3, "k": 1e3, "M": 1e6, "G": 1e9, "Ki": 2**10, "Mi": 2**20, "Gi": 2**30}
    for unit in sorted(units, key=len, reverse=True):
        if text.endswith(unit):
            return float(text[: -len(unit)]) * units[unit]
    return float(text)


# --- Dockerfile ------------------------------------------------------------------------


@dataclass
class Stage:
    image: str
    name: str | None
    instructions: list[tuple[str, str]] = field(default_factory=list)

    def all(self, keyword: str) -> list[str]:
        return [arguments for instruction, arguments in self.instructions if instruction == keyword]


def dockerfile_instructions(text: str) -> list[tuple[str, str]]:
    """(KEYWORD, arguments) per instruction, continuation lines joined, comments dropped."""
    instructions, pending = [], ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if pending and line.lstrip().startswith("#"):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
    return instructions


def dockerfile_stages(text: str | None = None) -> list[Stage]:
    text = DOCKERFILE.read_text() if text is None else text
    global_arguments, stages = {}, []
    for keyword, arguments in dockerfile_instructions(text):
        if keyword == "ARG" and not stages:
            name, _, default = arguments.partition("=")
            global_arguments[name] = default.strip('"')
        elif keyword == "FROM":
            words = [word for word in arguments.split() if not word.startswith("--")]
            image = re.sub(r"\$\{?(\w+)\}?", lambda match: global_arguments.get(match[1], ""), words[0])
            name = words[2] if len(words) == 3 and words[1].upper() == "AS" else None
            stages.append(Stage(image, name))
        elif stages:
            stages[-1].instructions.append((keyword, arguments))
    return stages


def dockerfile_env(stage: Stage) -> dict[str, str]:
    values = {}
    for arguments in stage.all("ENV"):
        for word in shlex.split(arguments):
            name, _, value = word.partition("=")
            values[name] = value
    return values


def copy_arguments(arguments: str) -> tuple[dict[str, str], list[str], str]:
    """COPY's flags, sources and destination, in shell form or JSON form."""
    words = shlex.split(arguments)
    flags = {}
    while words and words[0].startswith("--"):
        name, _, value = words.pop(0)[2:].partition("=")
        flags[name] = value
    if words and words[0].startswith("["):
        words = json.loads(" ".join(words))
    return flags, words[:-1], words[-1]


def dockerignore_patterns() -> list[str]:
    lines = [line.strip() for line in DOCKERIGNORE.read_text().splitlines()]
    return [line.lstrip("/") for line in lines if line and not line.startswith("#")]


def ignored(relative_path: str, patterns: list[str]) -> bool:
    """As Docker does: a path is out of the build context when it or a parent matches."""
    parts = relative_path.split("/")
    prefixes = ["/".join(parts[:count]) for count in range(1, len(parts) + 1)]
    for pattern in patterns:
        alternatives = [pattern] + ([pattern[3:]] if pattern.startswith("**/") else [])
        if any(fnmatch(prefix, alternative) for prefix in prefixes for alternative in alternatives):
            return True
    return False


def lay_out_image(destination: Path) -> Path:
    """Copy what the final stage COPYs from the build context (less .dockerignore) under
    `destination`, as the image's filesystem would hold it; returns its WORKDIR there."""
    patterns = dockerignore_patterns()
    assert not any(pattern.startswith("!") for pattern in patterns), "exceptions not handled"
    workdir = "/"
    for keyword, arguments in dockerfile_stages()[-1].instructions:
        if keyword == "WORKDIR":
            workdir = str(Path(workdir) / arguments)
        if keyword != "COPY":
            continue
        flags, sources, target = copy_arguments(arguments)
        if "from" in flags:
            continue
        target_dir = destination / str(Path(workdir) / target).lstrip("/")
        for source in sources:
            source_path = ROOT / source
            if source_path.is_dir():
                for file in source_path.rglob("*"):
                    relative = file.relative_to(ROOT).as_posix()
                    if file.is_file() and not ignored(relative, patterns):
                        copied = target_dir / file.relative_to(source_path)
                        copied.parent.mkdir(parents=True, exist_ok=True)
                        shutil.copy2(file, copied)
            elif source_path.is_file() and not ignored(source, patterns):
                # `COPY a b` names the copy b; `COPY a b/` or several sources copy into b/.
                into_directory = target.endswith("/") or len(sources) > 1
                copied = target_dir / source_path.name if into_directory else target_dir
                copied.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source_path, copied)
    return destination / workdir.lstrip("/")
