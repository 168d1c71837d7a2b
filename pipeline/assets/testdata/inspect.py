"""Reads pintui's Python assets with ast and prints what the Go tests check, as JSON.

usage: inspect.py dag FILE | notebook FILE
"""

import ast
import json
import sys


def literal(node, names):
    """The value of a literal node, a module constant it names, or None."""
    if isinstance(node, ast.Name) and node.id in names:
        return names[node.id]
    if isinstance(node, ast.Dict) and None not in node.keys:
        items = {literal(k, names): literal(v, names) for k, v in zip(node.keys, node.values)}
        return None if None in items or None in items.values() else items
    try:
        return ast.literal_eval(node)
    except ValueError:
        return None


def constants(tree):
    """Module-level assignments of literals, by name."""
    names = {}
    for node in tree.body:
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
            try:
                names[node.targets[0].id] = ast.literal_eval(node.value)
            except ValueError:
                pass
    return names


def func_name(call):
    f = call.func
    if isinstance(f, ast.Attribute):
        return f.attr
    if isinstance(f, ast.Name):
        return f.id
    return ast.unparse(f)


def calls(tree, names):
    """Every call: its function's last name and its arguments, literal where they are."""
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            args = []
            for a in node.args:
                v = literal(a, names)
                args.append(v if v is not None else {"expr": ast.unparse(a)})
            out.append({"func": func_name(node), "target": ast.unparse(node.func), "args": args})
    return out


def task_names(node):
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, ast.List):
        return [e.id for e in node.elts]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift):
        return task_names(node.right)
    raise ValueError("not a task: " + ast.unparse(node))


def edges(node):
    """The (upstream, downstream) pairs of an a >> b >> c expression."""
    if not (isinstance(node, ast.BinOp) and isinstance(node.op, ast.RShift)):
        return []
    pairs = edges(node.left)
    for up in task_names(node.left):
        for down in task_names(node.right):
            pairs.append([up, down])
    return pairs


def inspect_dag(tree):
    names = constants(tree)
    out = {"constants": names, "tasks": [], "edges": [], "dag": None, "default_args": None}
    for node in tree.body:
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "default_args":
            d = node.value
            out["default_args"] = {
                literal(k, names): (literal(v, names) if literal(v, names) is not None else ast.unparse(v))
                for k, v in zip(d.keys, d.values)
            }
        if isinstance(node, ast.With):
            call = node.items[0].context_expr
            kwargs = {}
            for kw in call.keywords:
                if kw.arg is None:
                    kwargs["**"] = ast.unparse(kw.value)
                else:
                    v = literal(kw.value, names)
                    kwargs[kw.arg] = v if v is not None else ast.unparse(kw.value)
            out["dag"] = {"func": func_name(call), "kwargs": kwargs}
            for stmt in node.body:
                if isinstance(stmt, ast.Assign):
                    op = stmt.value
                    kw = {k.arg: literal(k.value, names) for k in op.keywords}
                    out["tasks"].append({"var": stmt.targets[0].id, "operator": func_name(op), "kwargs": kw})
                elif isinstance(stmt, ast.Expr):
                    out["edges"].extend(edges(stmt.value))
    return out


def inspect_notebook(tree, source):
    names = constants(tree)
    return {
        "first_line": source.splitlines()[0],
        "cells": source.count("\n# COMMAND ----------\n") + 1,
        "constants": names,
        "calls": calls(tree, names),
        "functions": [n.name for n in tree.body if isinstance(n, ast.FunctionDef)],
    }


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        source = f.read()
    tree = ast.parse(source, filename=path)
    out = inspect_dag(tree) if mode == "dag" else inspect_notebook(tree, source)
    json.dump(out, sys.stdout, indent=1, sort_keys=True, default=list)


main()
