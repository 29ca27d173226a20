"""The web front: the Message Center's web components.

The components are native ES modules in gateway/static, no build step, served to any origin
(a module script from another origin needs CORS) with an ETag:

- /ui/message-center.js, the entry, is the URL storefronts and portals embed: a short cache
  (MODULE_MAX_AGE), revalidated with its ETag. It only imports the other modules, and is
  served with its `./name.js` imports rewritten to `./v/<version>/name.js`, <version> being a
  digest of every module in gateway/static.
- /ui/v/<version>/<name>.js, what the entry imports: cached for a year (immutable) when
  <version> is this gateway's. The modules import each other by plain relative URLs, which
  stay inside the same versioned directory, so a page loads one version of the whole graph.
  A deployment changes the digest, and with it every URL the new entry names: nothing cached
  from before can mix in. An entry cached from before (up to MODULE_MAX_AGE) names the old
  digest: its modules are then this gateway's, served uncached (no-store) under the old
  directory, still one consistent graph (the entry has no logic of its own to disagree with
  them); the same holds for a replica that has not been updated yet, in a rolling deployment.
- /ui/<name>.js: any module unversioned, with the entry's short cache (for a page that loads
  one module directly, and for development).

Only the .js files that exist in gateway/static are served, by exact name; anything else is
404. The module routes besides the entry are not in the OpenAPI document (the entry is the
interface; the rest is how it loads).

The demo pages (/ui/demo/...) are dev/'s: dev/demo.py, registered only beside the demo data.
"""

import hashlib
import os
import re
from pathlib import Path

import flask
from flask import Response, request
from flask_smorest import Blueprint

from services.common.errors import NotFound

GATEWAY = Path(__file__).resolve().parent.parent
STATIC = GATEWAY / "static"
MODULE = "message-center.js"
# Long enough to spare repeat downloads while a person browses, short enough that a deployment
# reaches every page within minutes; the ETag makes the revalidation a 304.
MODULE_MAX_AGE = 300
VERSIONED_CACHE = "public, max-age=31536000, immutable"
# The entry's imports and re-exports: `from './name.js'` and `import './name.js'`.
RELATIVE_IMPORT = re.compile(r"""(\bfrom\s*|\bimport\s*)(['"])\./([a-z0-9][a-z0-9-]*\.js)\2""")
VERSION = re.compile(r"[0-9a-f]{1,64}")

blp = Blueprint("ui", __name__, url_prefix="/ui", description="The web front: components for storefronts and portals")


@blp.route(f"/{MODULE}")
@blp.doc(
    security=[],
    responses={
        "200": {
            "description": "An ES module defining <mc-ask-question>, "
            "<mc-messages> and <mc-message-center> (it imports "
            "the modules beside it, under /ui/v/<version>/).",
            "content": {"text/javascript": {"schema": {"type": "string"}}},
        }
    },
)
def module():
    """The Message Center web components (native ES modules, no build step): the entry."""
    modules, version = static_modules()
    body = RELATIVE_IMPORT.sub(
        lambda match: f"{match[1]}{match[2]}./v/{version}/{match[3]}{match[2]}", modules[MODULE].decode("utf-8")
    )
    return module_response(body.encode("utf-8"), f"public, max-age={MODULE_MAX_AGE}")


def module_file(name: str):
    """/ui/<name>.js: one module as it is, with the entry's short cache."""
    modules, _ = static_modules()
    return module_response(module_body(modules, name), f"public, max-age={MODULE_MAX_AGE}")


def versioned_module(version: str, name: str):
    """/ui/v/<version>/<name>.js: immutable when <version> is this gateway's; otherwise the
    module is this gateway's and must not be kept under a name it does not belong to."""
    modules, current = static_modules()
    if not VERSION.fullmatch(version):
        raise NotFound("No such module.")
    return module_response(module_body(modules, name), VERSIONED_CACHE if version == current else "no-store")


# Not in the OpenAPI document: flask.Blueprint's own add_url_rule, not flask-smorest's.
flask.Blueprint.add_url_rule(blp, "/<name>.js", "module_file", module_file)
flask.Blueprint.add_url_rule(blp, "/v/<version>/<name>.js", "versioned_module", versioned_module)


def module_body(modules: dict, name: str) -> bytes:
    found = modules.get(f"{name}.js")
    if found is None:
        raise NotFound("No such module.")
    return found


def module_response(body: bytes, cache_control: str):
    response = Response(body, mimetype="text/javascript")
    response.headers["Cache-Control"] = cache_control
    response.headers["Access-Control-Allow-Origin"] = "*"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.set_etag(hashlib.sha256(body).hexdigest()[:32])
    return response.make_conditional(request)


# (stat of the files, {name: bytes}, version): replaced whole, so a request reads one snapshot.
_snapshot: tuple = ((), {}, "")


def static_modules() -> tuple[dict, str]:
    """The .js files directly in gateway/static ({name: bytes}) and their version, read again
    when a file changes (size or modification time). A requested name is looked up among
    these, never joined to a path. The version is a digest of every module's name and bytes."""
    global _snapshot
    stats = []
    for entry in os.scandir(STATIC):
        if entry.is_file() and entry.name.endswith(".js"):
            stat = entry.stat()
            stats.append((entry.name, stat.st_mtime_ns, stat.st_size))
    key = tuple(sorted(stats))
    snapshot = _snapshot
    if key != snapshot[0]:
        modules = {name: (STATIC / name).read_bytes() for name, _, _ in key}
        digest = hashlib.sha256()
        for name, content in sorted(modules.items()):
            digest.update(f"{name}\0{len(content)}\0".encode())
            digest.update(content)
        snapshot = _snapshot = (key, modules, digest.hexdigest()[:16])
    return snapshot[1], snapshot[2]
