#!/usr/bin/env python3
"""Property test of the guard: a random JSON 6902 patch of a platform-owned
object (from base/ or overlays/) in an example tenant project, when it
changes that object's render, is always a [platform] violation of
`tend check`. Run by tests/check/run:
    property.py TEND REPO WORKDIR [ITERATIONS] [SEED]
Prints one line per failing case and ends with "N passed, M failed"."""
import json, os, random, shutil, subprocess, sys

tend, repo, work = sys.argv[1:4]
iterations = int(sys.argv[4]) if len(sys.argv) > 4 else 60
rng = random.Random(int(sys.argv[5]) if len(sys.argv) > 5 else 14)
ex = os.path.join(work, "ex")
for d in ("examples", "base", "overlays"):
    shutil.copytree(os.path.join(repo, d), os.path.join(ex, d))
cfg_dir = os.path.join(ex, "examples")


def run(*args):
    return subprocess.run([tend, *args], cwd=cfg_dir, capture_output=True, text=True)


def render(project):
    r = run("render", "-c", "tend.yaml", project, "-o", "json")
    if r.returncode not in (0, 1) or not r.stdout.strip():
        return None
    dec, out, s = json.JSONDecoder(), [], r.stdout.strip()
    i = 0
    while i < len(s):
        obj, j = dec.raw_decode(s, i)
        out.append(obj)
        i = j
        while i < len(s) and s[i].isspace():
            i += 1
    return out


def leaves(node, path):
    if isinstance(node, dict):
        for k, v in node.items():
            yield from leaves(v, path + [k])
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from leaves(v, path + [str(i)])
    yield path


def pointer(path):
    return "".join("/" + p.replace("~", "~0").replace("/", "~1") for p in path)


def mutate(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 7
    if isinstance(value, str):
        return value + "-x" if not value.isdigit() else str(int(value) * 4 + 1)
    return "mutated"


def get(obj, path):
    for p in path:
        obj = obj[int(p)] if isinstance(obj, list) else obj[p]
    return obj


projects = sorted(os.listdir(os.path.join(cfg_dir, "projects")))
passed = failed = tried = attempts = 0
# Bounded: a render that fails, or patches that never change it, end the run
# as a failure instead of looping.
while tried < iterations:
    attempts += 1
    if attempts > iterations * 20:
        print("FAIL only %d of %d patches changed a render in %d attempts" % (tried, iterations, attempts - 1))
        sys.exit(1)
    project = rng.choice(projects)
    kfile = os.path.join(cfg_dir, "projects", project, "kustomization.yaml")
    original = open(kfile).read()
    before = render(project)
    if before is None:
        print("FAIL the unpatched project %s does not render" % project)
        sys.exit(1)
    platform = [d for d in before or [] if "/base/" in d.get("source", "") or "/overlays/" in d.get("source", "")]
    if not platform:
        continue
    target = rng.choice(platform)["object"]
    paths = [p for p in leaves(target, []) if p and p[0] not in ("apiVersion", "kind")
             and p[:2] != ["metadata", "namespace"]]
    path = rng.choice(paths)
    op = rng.choice(["replace", "remove", "label"])
    if op == "label":
        patch = [{"op": "add", "path": "/metadata/labels", "value": {}}] if "labels" not in target.get("metadata", {}) else []
        patch.append({"op": "add", "path": "/metadata/labels/tend.dev~1extra", "value": "yes"})
    elif op == "remove":
        patch = [{"op": "remove", "path": pointer(path)}]
    else:
        patch = [{"op": "replace", "path": pointer(path), "value": mutate(get(target, path))}]
    name = target["metadata"]["name"]
    with open(kfile, "a") as f:
        f.write("patches:\n" if "\npatches:" not in original else "")
        f.write("- target:\n    kind: %s\n    name: %s\n  patch: '%s'\n" % (
            target["kind"], name.replace("'", "''"), json.dumps(patch).replace("'", "''")))
    after = render(project)
    changed = after is not None and json.dumps([d["object"] for d in after], sort_keys=True) != \
        json.dumps([d["object"] for d in before], sort_keys=True)
    if changed:
        tried += 1
        r = run("check", "-c", "tend.yaml", project, "--today", "2026-06-01")
        if r.returncode == 1 and "[platform]" in r.stdout:
            passed += 1
        else:
            failed += 1
            print("FAIL %s %s/%s %s: exit %d\n%s" % (project, target["kind"], name, json.dumps(patch),
                                                     r.returncode, r.stdout[-1500:]))
    open(kfile, "w").write(original)
print("property: %d random patches of platform objects, %d passed, %d failed" % (tried, passed, failed))
sys.exit(1 if failed else 0)
