"""The centre a piece of work is for is passed in, never remembered: the core keeps no centre in a
module global, and the app and the command line name the centre at every call that takes one.

A core function that works for one centre takes `centre_id` (default `scope.SOLE`, "the database's one
centre", which a district refuses). The tests may lean on that default in a one-centre database; the
code a person runs may not, so this reads the source of app/, exports/, forms/, cli/ and benchmarks/ and lists every
call that leaves it out.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.centres import scope
from app.errors import PatrolError

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("app", "exports", "forms", "cli", "benchmarks")


def _modules():
    for part in PARTS:
        for path in sorted((ROOT / part).rglob("*.py")):
            name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
            yield name.removesuffix(".__init__"), path, ast.parse(path.read_text(encoding="utf-8"))


def _sole_default(fn: ast.FunctionDef) -> bool:
    args = fn.args
    positional = args.posonlyargs + args.args
    pairs = list(zip(positional[len(positional) - len(args.defaults):], args.defaults))
    pairs += [(a, d) for a, d in zip(args.kwonlyargs, args.kw_defaults) if d is not None]
    return any(a.arg == "centre_id" and ast.unparse(d) in ("scope.SOLE", "SOLE") for a, d in pairs)


def _centre_taking() -> dict[str, ast.FunctionDef]:
    """module.function -> definition, for every function whose centre_id defaults to SOLE."""
    out = {}
    for name, _, tree in _modules():
        for node in tree.body:
            if isinstance(node, ast.FunctionDef) and _sole_default(node):
                out[f"{name}.{node.name}"] = node
    return out


def _aliases(tree: ast.Module) -> dict[str, str]:
    """Local names bound by `from x import y [as z]` anywhere in the module (the command line imports
    inside its functions) -> the qualified name."""
    out = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            for alias in node.names:
                out[alias.asname or alias.name] = f"{node.module}.{alias.name}"
    return out


def _target(call: ast.Call, module: str, aliases: dict[str, str], known: dict) -> str | None:
    func = call.func
    if isinstance(func, ast.Name):
        local = f"{module}.{func.id}"
        return local if local in known else aliases.get(func.id)
    if isinstance(func, ast.Attribute) and isinstance(func.value, ast.Name) and func.value.id in aliases:
        return f"{aliases[func.value.id]}.{func.attr}"
    return None


def _names_the_centre(call: ast.Call, fn: ast.FunctionDef) -> bool:
    if any(k.arg in ("centre_id", None) for k in call.keywords):
        return True
    positional = [a.arg for a in fn.args.posonlyargs + fn.args.args]
    return "centre_id" in positional and len(call.args) > positional.index("centre_id")


def unnamed_centres() -> list[str]:
    known = _centre_taking()
    found = []
    for module, path, tree in _modules():
        if module == "app.centres.scope":
            continue
        aliases = _aliases(tree)
        for call in ast.walk(tree):
            if not isinstance(call, ast.Call):
                continue
            target = _target(call, module, aliases, known)
            if target in known and not _names_the_centre(call, known[target]):
                found.append(f"{path.relative_to(ROOT)}:{call.lineno} {ast.unparse(call.func)}(…) names no centre")
    return found


def test_every_call_the_app_and_the_command_line_make_names_its_centre():
    assert len(_centre_taking()) > 100, "the reader found the core's centre-taking functions"
    assert unnamed_centres() == []


def test_the_reader_would_catch_a_call_that_forgot_its_centre(tmp_path, monkeypatch):
    """The check above is not vacuous: a page that calls the ranking without its centre is listed."""
    page = ROOT / "forms" / "zz_forgetful_page.py"
    page.write_text("from app.results import rankings\n\n\ndef show(period):\n"
                    "    return rankings.rank(period, 'window')\n", encoding="utf-8")
    try:
        assert [line.split(" ", 1)[0] for line in unnamed_centres()] == ["forms/zz_forgetful_page.py:5"]
    finally:
        page.unlink()


def test_the_core_keeps_no_centre_in_a_module_global():
    """Nothing in the core assigns a module global at run time: the centre in view, the user, the day
    are all passed in."""
    offenders = [f"{path.relative_to(ROOT)}:{node.lineno}" for module, path, tree in _modules()
                 if module.startswith(("app.", "exports.")) for node in ast.walk(tree) if isinstance(node, ast.Global)]
    assert offenders == []


def test_sole_answers_in_a_database_of_one_centre_and_refuses_in_a_district(database):
    from app.people.accounts import create_user
    from app.setup.centres import add_centre, create_centre

    assert scope.resolve(scope.SOLE) is None, "before set-up there is no centre"
    home = create_centre("D01", "区政务服务中心")
    assert scope.resolve(scope.SOLE) == home.id and scope.resolve(None) is None
    boss = create_user("qu", "区管理员", "manager", "secret9")
    other = add_centre(boss, "S1", "甲街道中心", "street", "全区推行")
    with pytest.raises(PatrolError, match="请先选择中心"):
        scope.resolve(scope.SOLE)
    assert scope.resolve(other.id) == other.id
    assert scope.signed_in(boss).centre_id is None and scope.signed_in(boss, "S1").centre_id == other.id
