"""subst.py — the post-build substitution tend documents (lib/generator/
substitute.c), written again from its documentation so the tests can apply
it to `kubectl kustomize` output:

  ${var}            the variable's value; an unknown variable is an error
  ${var:=default}   the value, or default when unset (also ${var:-default})
  $${var}           a literal ${var}

applied to every string value (never keys, never numbers). Variables:
project, namespace (project.yaml namespace, default the project name),
path, group (when project.yaml sets it) and project.yaml parameters.
"""
import re

_TOKEN = re.compile(r"\$\$\{|\$\{([A-Za-z0-9_]+)(?:(:[=-])([^}]*))?\}")


class UnknownVariable(Exception):
    pass


def expand(s, variables):
    def repl(m):
        if m.group(0) == "$${":
            return "${"
        name, op, default = m.group(1), m.group(2), m.group(3)
        if name in variables:
            return variables[name]
        if op:
            return default
        raise UnknownVariable(name)

    return _TOKEN.sub(repl, s)


def substitute(node, variables):
    if isinstance(node, str):
        return expand(node, variables)
    if isinstance(node, list):
        return [substitute(n, variables) for n in node]
    if isinstance(node, dict):
        return {k: substitute(v, variables) for k, v in node.items()}
    return node
