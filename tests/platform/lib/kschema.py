"""kschema.py — validates Kubernetes objects against their real schemas.

Custom resources are checked against the openAPIV3Schema of their CRD
(shared/crds), built-in kinds against the Kubernetes OpenAPI v3 documents
(shared/openapi/v3-k8s-1.32). Both are turned into one JSON Schema (draft 7)
document whose $refs are local (#/definitions/...), so the validator never
resolves anything remote.

Kubernetes extensions are translated the way the API server applies them:
  - an object schema with `properties` rejects unknown fields (the API
    server's strict field validation) unless x-kubernetes-preserve-unknown-
    fields or additionalProperties says otherwise;
  - x-kubernetes-int-or-string accepts an integer or a string;
  - nullable accepts null;
  - a custom resource's metadata is the built-in ObjectMeta;
  - resource.Quantity strings must follow the quantity grammar.
x-kubernetes-validations (CEL) rules are not evaluated; callers count them.
"""
import copy
import glob
import json
import os
import re

import jsonschema
import yaml

try:
    Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - libyaml missing
    Loader = yaml.SafeLoader

QUANTITY = r"^[+-]?([0-9]+(\.[0-9]*)?|\.[0-9]+)(([KMGTPE]i)|[numkMGTPE]|([eE][+-]?[0-9]+))?$"
OBJECT_META = "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta"
DATE_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")


def _format_checker():
    fc = jsonschema.FormatChecker(formats=())

    @fc.checks("date-time")
    def _dt(value):  # noqa: ANN001 - jsonschema's callback
        return not isinstance(value, str) or bool(DATE_TIME.match(value))

    return fc


def _convert(node, crd):
    """Returns a JSON Schema copy of one OpenAPI v3 schema node."""
    if isinstance(node, list):
        return [_convert(n, crd) for n in node]
    if not isinstance(node, dict):
        return node
    out = {}
    for k, v in node.items():
        if k == "$ref":
            out[k] = "#/definitions/" + v.rsplit("/", 1)[-1]
        elif k in ("properties", "patternProperties", "definitions"):
            out[k] = {name: _convert(s, crd) for name, s in v.items()}
        elif k in ("items", "additionalProperties", "not", "allOf", "anyOf", "oneOf"):
            out[k] = _convert(v, crd)
        elif k.startswith("x-kubernetes-") or k in ("nullable", "default", "example",
                                                    "description", "externalDocs"):
            continue
        else:
            out[k] = copy.deepcopy(v)
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        alts = [{"type": "integer"}, {"type": "string"}]
        out["anyOf"] = out.get("anyOf", alts) if "anyOf" in out else alts
    preserve = node.get("x-kubernetes-preserve-unknown-fields") or node.get(
        "x-kubernetes-embedded-resource")
    if "properties" in out and "additionalProperties" not in out and not preserve:
        out["additionalProperties"] = False
    if node.get("nullable"):
        out = {"anyOf": [{"type": "null"}, out]}
    return out


class Validator:
    """Looks up the schema of an object by apiVersion and kind and validates it."""

    def __init__(self, shared):
        self.shared = shared
        self.definitions = {}
        self.builtin = {}  # (group, version, kind) -> definition name
        self.crds = {}  # (group, version, kind) -> schema (converted)
        self.cel_rules = {}  # (group, version, kind) -> number of CEL rules not evaluated
        self._load_builtin()
        self._load_crds()
        root = {"definitions": self.definitions}
        self._resolver = jsonschema.RefResolver("", root)
        self._fc = _format_checker()

    def _load_builtin(self):
        docs = sorted(glob.glob(os.path.join(self.shared, "openapi", "v3-k8s-1.32", "*.json")))
        if not docs:
            raise FileNotFoundError("no OpenAPI documents under " + self.shared)
        for path in docs:
            with open(path) as f:
                schemas = json.load(f).get("components", {}).get("schemas", {})
            for name, s in schemas.items():
                if name not in self.definitions:
                    self.definitions[name] = _convert(s, False)
                for gvk in s.get("x-kubernetes-group-version-kind", []):
                    self.builtin[(gvk["group"], gvk["version"], gvk["kind"])] = name
        q = self.definitions.get("io.k8s.apimachinery.pkg.api.resource.Quantity")
        if q:
            q["oneOf"] = [{"type": "string", "pattern": QUANTITY}, {"type": "number"}]

    def _load_crds(self):
        for path in sorted(glob.glob(os.path.join(self.shared, "crds", "*", "*.yaml"))):
            with open(path) as f:
                crd = yaml.load(f, Loader=Loader)
            if not isinstance(crd, dict) or crd.get("kind") != "CustomResourceDefinition":
                continue
            group = crd["spec"]["group"]
            kind = crd["spec"]["names"]["kind"]
            for v in crd["spec"]["versions"]:
                if not v.get("served", True):
                    continue
                s = v.get("schema", {}).get("openAPIV3Schema")
                if s is None:
                    continue
                key = (group, v["name"], kind)
                self.cel_rules[key] = json.dumps(s).count('"rule":')
                conv = _convert(s, True)
                conv.setdefault("properties", {})["metadata"] = {
                    "$ref": "#/definitions/" + OBJECT_META}
                self.crds[key] = conv

    def schema_for(self, obj):
        """Returns (schema, where) for an object, or (None, reason)."""
        api = obj.get("apiVersion", "")
        group, _, version = api.rpartition("/")
        key = (group, version, obj.get("kind", ""))
        if key in self.crds:
            return self.crds[key], "CRD %s/%s %s" % (group, version, key[2])
        if key in self.builtin:
            return {"$ref": "#/definitions/" + self.builtin[key]}, "OpenAPI " + self.builtin[key]
        return None, "no schema for apiVersion %r kind %r" % (api, key[2])

    def errors(self, obj):
        """Returns a list of error strings (empty when the object is valid)."""
        schema, where = self.schema_for(obj)
        if schema is None:
            return [where]
        schema = dict(schema, definitions=self.definitions)
        v = jsonschema.Draft7Validator(schema, resolver=self._resolver, format_checker=self._fc)
        errs = []
        for e in sorted(v.iter_errors(obj), key=lambda e: list(e.absolute_path)):
            path = "/".join(str(p) for p in e.absolute_path) or "(root)"
            errs.append("%s: %s (%s)" % (path, _short(e), where))
        errs += _name_errors(obj)
        return errs


def _short(e):
    if e.validator in ("anyOf", "oneOf") and e.context:
        best = min(e.context, key=lambda c: len(list(c.absolute_path)) * -1)
        return best.message[:200]
    return e.message[:200]


DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def _name_errors(obj):
    """The name rules the API server applies before any schema."""
    md = obj.get("metadata") or {}
    errs = []
    name, ns = md.get("name"), md.get("namespace")
    if not isinstance(name, str) or not DNS_SUBDOMAIN.match(name) or len(name) > 253:
        errs.append("metadata/name: %r is not a valid object name" % (name,))
    if ns is not None and (not isinstance(ns, str) or not DNS_LABEL.match(ns) or len(ns) > 63):
        errs.append("metadata/namespace: %r is not a valid namespace name" % (ns,))
    if obj.get("kind") == "Namespace" and isinstance(name, str) and not DNS_LABEL.match(name):
        errs.append("metadata/name: %r is not a valid namespace name" % (name,))
    for field in ("labels", "annotations"):
        for k in (md.get(field) or {}):
            prefix, _, short = k.rpartition("/")
            if (prefix and not DNS_SUBDOMAIN.match(prefix)) or not re.match(
                    r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$", short) or len(short) > 63:
                errs.append("metadata/%s: %r is not a valid key" % (field, k))
    for k, v in (md.get("labels") or {}).items():
        if not isinstance(v, str) or (v and not re.match(
                r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$", v)) or len(v) > 63:
            errs.append("metadata/labels/%s: %r is not a valid label value" % (k, v))
    return errs
