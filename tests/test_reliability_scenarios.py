"""Hostile and unlucky scenario files (issue 10): every one is a ScenarioError naming the file,
with a short message, whatever the content; nothing else is raised and nothing hangs."""
import os
import pickle
import random
import re
from pathlib import Path

import pytest

from model.errors import MAX_PROBLEMS, PlanSimError, quote
from model.scenarios import MAX_BYTES, SHIPPED_DIR, ScenarioError, load_scenario, load_scenarios

ROOT = Path(__file__).resolve().parents[1]
SHIPPED = sorted((ROOT / "scenarios").glob("*.yaml"))
HEADER = "name: {name}\ntitle: {{zh: 甲, en: A}}\ndescription: test\n"
MESSAGE_LIMIT = 2_000  # characters: a few lines, whatever the file holds


def write(folder: Path, name: str, body: str) -> Path:
    path = folder / f"{name}.yaml"
    path.write_text(HEADER.format(name=name) + body, encoding="utf-8")
    return path


def rejected(path, shanghai, limit: int = MESSAGE_LIMIT) -> ScenarioError:
    """The error a file gets: a ScenarioError naming the file, short in both languages."""
    with pytest.raises(ScenarioError) as caught:
        load_scenario(path, shanghai)
    error = caught.value
    for lang in ("zh", "en"):
        text = "\n".join(error.messages(lang))
        assert str(Path(path).name) in text, text
        assert len(text) < limit, (len(text), text[:300])
    return error


def bomb(levels: int) -> str:
    """The issue's alias bomb: 10**levels strings from a few hundred bytes."""
    lines = ["name: x", "title: {zh: a, en: b}", "description: d",
             "x0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"x{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, levels + 1)]
    return "\n".join(lines + [f"levers: *a{levels}"]) + "\n"


@pytest.mark.parametrize("levels", [6, 7, 8])
def test_alias_bomb_is_refused_with_a_short_message(tmp_path, shanghai, levels):
    path = tmp_path / "x.yaml"
    path.write_text(bomb(levels), encoding="utf-8")
    assert path.stat().st_size < 700
    error = rejected(path, shanghai, limit=300)
    assert "aliases (*name) are not allowed" in str(error)
    assert "不允许使用别名" in error.messages("zh")[0]


def test_an_anchor_without_alias_is_harmless_but_merge_keys_are_refused(tmp_path, shanghai):
    path = write(tmp_path, "anchored", "levers: &l {car plate quota: 10}\n")
    assert load_scenario(path, shanghai).levers == {"car plate quota": 10.0}
    path = write(tmp_path, "merged", "base: &b {car plate quota: 10}\nlevers:\n  <<: *b\n")
    assert "aliases" in str(rejected(path, shanghai))


def test_a_big_value_is_quoted_briefly(tmp_path, shanghai):
    items = ", ".join(f"item{i}" for i in range(5000))
    error = rejected(write(tmp_path, "biglist", f"levers: [{items}]\n"), shanghai)
    assert "expected a mapping of lever name to number, got list" in str(error)
    error = rejected(write(tmp_path, "bigtext", f"levers:\n  car plate quota: {'x' * 50_000}\n"), shanghai)
    assert "got str 'xxx" in str(error) and "..." in str(error)


def test_four_thousand_unknown_levers_give_a_capped_list(tmp_path, shanghai):
    body = "levers:\n" + "".join(f"  lever number {i}: 1\n" for i in range(4000))
    error = rejected(write(tmp_path, "many", body), shanghai, limit=12_000)  # was 1.6 MB
    assert len(error.problems) == MAX_PROBLEMS + 1
    assert error.problems[-1] == f"... and {4000 - MAX_PROBLEMS} more problems"
    assert f"另有 {4000 - MAX_PROBLEMS} 个问题" in error.messages("zh")[-1]


@pytest.mark.parametrize("body, expected", [
    ("levers:\n  car plate quota: " + "9" * 400 + "\n", "a number of 400 characters is too long"),
    ("levers:\n  car plate quota: " + "[" * 300 + "]" * 300 + "\n", "nested more than 20 levels deep"),
    ("levers:\n  car plate quota: " + "{a: " * 300 + "1" + "}" * 300 + "\n", "nested more than 20 levels deep"),
    ("extends: " + "a" * 300 + "\n", "expected a scenario name"),
    ("levers:\n  car plate quota: !!python/object/apply:os.system [echo]\n", "is not allowed"),
    ("levers:\n  car plate quota: !!binary aGVsbG8=\n", "tag 'tag:yaml.org,2002:binary' is not allowed"),
    ("levers:\n  car plate quota: !!timestamp not-a-date\n", "is not allowed"),
    ("levers:\n  car plate quota: !!int abc\n", "'abc' is not a value of !!int"),
    ("levers:\n  car plate quota: !!float [1]\n", "expected a scalar node"),
    ("levers:\n  1: 2\n", "unknown lever 1"),  # whole-number keys are read (the years of a path's points)
    ("levers:\n  true: 2\n", "a key must be text, got bool True"),
    ("levers:\n  [a]: 2\n", "a key must be text, got list"),
    ("levers:\n  car plate quota: 1\x00\n", "control character"),
])
def test_crash_kind_content_is_a_scenario_error(tmp_path, shanghai, body, expected):
    error = rejected(write(tmp_path, "bad", body), shanghai)
    assert expected in str(error), str(error)


def test_a_file_over_the_size_limit_is_refused_before_parsing(tmp_path, shanghai):
    path = write(tmp_path, "big", "# " + "x" * MAX_BYTES + "\n")
    error = rejected(path, shanghai)
    assert "100 kB limit" in str(error) and "100 kB" in error.messages("zh")[0]


def test_a_file_that_is_not_utf8(tmp_path, shanghai):
    path = tmp_path / "latin.yaml"
    path.write_bytes(HEADER.format(name="latin").encode("utf-8") + "levers: {café: 1}\n".encode("latin-1"))
    assert "not UTF-8 text" in str(rejected(path, shanghai))


@pytest.mark.parametrize("device", ["/dev/zero", "/dev/urandom"])
def test_a_symlink_to_a_device_is_not_read(tmp_path, shanghai, device):
    if not os.path.exists(device):
        pytest.skip(f"{device} does not exist here")
    link = tmp_path / "dev.yaml"
    link.symlink_to(device)
    assert "not a regular file" in str(rejected(link, shanghai))


def test_a_fifo_is_not_read_and_does_not_block(tmp_path, shanghai):
    fifo = tmp_path / "pipe.yaml"
    os.mkfifo(fifo)
    error = rejected(fifo, shanghai)
    assert "named pipe (FIFO), not a regular file" in str(error)


def test_a_folder_and_a_dangling_link(tmp_path, shanghai):
    (tmp_path / "folder.yaml").mkdir()
    assert "a folder, not a regular file" in str(rejected(tmp_path / "folder.yaml", shanghai))
    (tmp_path / "gone.yaml").symlink_to(tmp_path / "nowhere.yaml")
    assert "no such file" in str(rejected(tmp_path / "gone.yaml", shanghai))


def test_an_extends_name_too_long_for_the_file_system(tmp_path, shanghai):
    # Within the name pattern's 100 characters: looked up without an OSError escaping.
    path = write(tmp_path, "child", f"extends: {'p' * 100}\n")
    assert "no scenario" in str(rejected(path, shanghai, limit=3_000))


SECRET_LINES = ["root:$6$saltsalt$c2VjcmV0aGFzaA:19000:0:99999:7:::",
                "daemon:*:19000:0:99999:7:::", "API_KEY: sk-live-abcdef123456"]


@pytest.mark.parametrize("text", ["\n".join(SECRET_LINES[:2]) + "\n", "\n".join(SECRET_LINES) + "\n",
                                  "password: hunter2\ntoken: [a, b]\n"])
def test_a_link_to_a_private_file_never_quotes_its_content(tmp_path, shanghai, text):
    secret = tmp_path / "shadow"
    secret.write_text(text, encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(secret)
    with pytest.raises(ScenarioError) as caught:
        load_scenario(link, shanghai)
    shown = "\n".join(caught.value.messages("en") + caught.value.messages("zh"))
    for value in ("c2VjcmV0aGFzaA", "19000", "sk-live", "hunter2", "$6$"):
        assert value not in shown, shown


def test_a_link_to_etc_shadow(tmp_path, shanghai):
    if not os.path.exists("/etc/shadow"):
        pytest.skip("no /etc/shadow here")
    link = tmp_path / "shadow.yaml"
    link.symlink_to("/etc/shadow")
    error = rejected(link, shanghai)
    try:
        lines = Path("/etc/shadow").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return  # unreadable for this user: "cannot read: permission denied"
    fields = {f for line in lines for f in line.split(":") if len(f) >= 6}
    shown = "\n".join(error.messages("en") + error.messages("zh"))
    assert not [f for f in fields if f in shown]


# -- YAML 1.2 core schema ----------------------------------------------------------------------
@pytest.mark.parametrize("text, expected", [
    ("4e-1", 0.4), ("0.4", 0.4), ("+0.4", 0.4), (".4", 0.4), ("0x10", 16.0), ("0o17", 15.0), ("010", 10.0),
])
def test_numbers_are_read_as_yaml_1_2_core(tmp_path, shanghai, text, expected):
    lever = "car plate quota" if expected > 1 else "population control"
    scenario = load_scenario(write(tmp_path, "num", f"levers:\n  {lever}: {text}\n"), shanghai)
    assert scenario.levers[lever] == expected


@pytest.mark.parametrize("text", ["1:10", "yes", "on", "No", "1_000", "0b11", "2015-01-01"])
def test_yaml_1_1_forms_are_text(tmp_path, shanghai, text):
    error = rejected(write(tmp_path, "text", f"levers:\n  car plate quota: {text}\n"), shanghai)
    assert f"got str {text!r}" in str(error)


def test_the_title_may_be_a_yaml_1_1_word(tmp_path, shanghai):
    path = tmp_path / "words.yaml"
    path.write_text("name: words\ntitle: {zh: 'on', en: yes}\ndescription: 1:10\n", encoding="utf-8")
    scenario = load_scenario(path, shanghai)
    assert (scenario.title_en, scenario.description) == ("yes", "1:10")


# -- name, extends, hints ----------------------------------------------------------------------
def test_name_must_equal_the_file_name(tmp_path, shanghai):
    path = tmp_path / "other.yaml"
    path.write_text(HEADER.format(name="mine"), encoding="utf-8")
    error = rejected(path, shanghai)
    assert "name 'mine' must equal the file name 'other' (without .yaml)" in str(error)
    assert "必须与文件名" in error.messages("zh")[0]
    assert load_scenario(path, shanghai, check_name=False).name == "mine"


def test_extends_finds_a_shipped_scenario_from_any_folder(tmp_path, shanghai):
    path = write(tmp_path, "mine", "extends: plan\nlevers:\n  car plate quota: 20\n")
    plan = load_scenario(SHIPPED_DIR / "plan.yaml", shanghai)
    assert load_scenario(path, shanghai).levers == {**plan.levers, "car plate quota": 20.0}
    # the file's own folder comes first
    write(tmp_path, "plan", "levers:\n  car plate quota: 5\n")
    assert load_scenario(path, shanghai).levers == {"car plate quota": 20.0}


def test_extends_not_found_says_where_it_looked(tmp_path, shanghai):
    error = rejected(write(tmp_path, "mine", "extends: plann\n"), shanghai)
    message = str(error)
    assert str(tmp_path / "plann.yaml") in message and str(SHIPPED_DIR / "plann.yaml") in message
    assert "closest: 'plan'" in message


def test_a_long_extends_chain_is_cut(tmp_path, shanghai):
    write(tmp_path, "s0", "")
    for i in range(1, 30):
        write(tmp_path, f"s{i}", f"extends: s{i - 1}\n")
    error = rejected(tmp_path / "s29.yaml", shanghai, limit=6_000)
    assert "the extends chain is longer than 10 scenarios" in str(error)


@pytest.mark.parametrize("lever, typed, hint", [("coal share target", 25, "0.25"),
                                                ("population control", 10, "0.1")])
def test_a_share_typed_in_percent_gets_a_hint(tmp_path, shanghai, lever, typed, hint):
    error = rejected(write(tmp_path, "pct", f"levers:\n  {lever}: {typed}\n"), shanghai)
    assert f"did you mean {hint}?" in str(error)
    assert f"是否想写 {hint}" in error.messages("zh")[0]


def test_no_percent_hint_where_it_would_not_fit(tmp_path, shanghai):
    error = rejected(write(tmp_path, "pct", "levers:\n  car plate quota: 400\n"), shanghai)
    assert "did you mean" not in str(error)


# -- fuzz: any bytes give a ScenarioError (or a scenario), never another exception ---------------
def _mutations(rng: random.Random, seed_texts: list[bytes], count: int):
    alphabet = b"[]{}:,&*!|>-?#'\"\n\t %@`0123456789.eE+xo\\\x00\xff\xc3"
    for _ in range(count):
        data = bytearray(rng.choice(seed_texts))
        for _ in range(rng.randint(1, 8)):
            op = rng.randrange(4)
            pos = rng.randrange(len(data) + 1)
            if op == 0:
                data[pos:pos] = bytes(rng.choice(alphabet) for _ in range(rng.randint(1, 6)))
            elif op == 1 and data:
                del data[pos:pos + rng.randint(1, 20)]
            elif op == 2:
                data[pos:pos] = data[rng.randrange(len(data) + 1):][:rng.randint(1, 200)] * rng.randint(1, 50)
            else:
                data[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 30)))
        yield bytes(data)


def test_fuzzed_files_raise_only_scenario_errors(tmp_path, shanghai):
    rng = random.Random(20240611)
    seeds = [p.read_bytes() for p in SHIPPED] + [p.read_bytes() for p in (ROOT / "tests" / "bad_scenarios").glob("*.yaml")]
    seeds.append(bomb(4).encode("utf-8"))
    cases = list(_mutations(rng, seeds, 400)) + [bytes(rng.randrange(256) for _ in range(rng.randint(0, 2000)))
                                                 for _ in range(100)]
    path = tmp_path / "fuzz.yaml"
    for data in cases:
        path.write_bytes(data)
        try:
            load_scenario(path, shanghai, check_name=False)
        except ScenarioError as err:
            for lang in ("zh", "en"):
                assert len("\n".join(err.messages(lang))) < 6_000
        # anything else propagates and fails the test, with the case in the traceback


def test_load_scenarios_reports_every_bad_file_and_keeps_naming_them(tmp_path, shanghai):
    bad = write(tmp_path, "bad", "levers: [1, 2]\n")
    fifo = tmp_path / "fifo.yaml"
    os.mkfifo(fifo)
    with pytest.raises(ScenarioError) as caught:
        load_scenarios([*SHIPPED, bad, fifo], shanghai)
    assert [p.split(":")[0] for p in caught.value.problems] == [str(bad), str(fifo)]


# -- the errors themselves -----------------------------------------------------------------------
def test_quote_is_short_for_any_value():
    nested: list = []
    for _ in range(30):
        nested = [nested] * 10
    for value in (nested, "x" * 10**6, 10**5000, -(10**400), {i: i for i in range(10**4)}, b"\x00" * 10**5):
        assert len(quote(value)) <= 80
    assert quote(10**400).startswith("≈1e")
    assert quote("abc") == "'abc'" and quote(0.25) == "0.25"


def test_errors_survive_a_process_boundary_in_both_languages(tmp_path, shanghai):
    error = rejected(write(tmp_path, "pct", "levers:\n  coal share target: 25\n"), shanghai)
    copy = pickle.loads(pickle.dumps(error))
    assert type(copy) is ScenarioError and isinstance(copy, PlanSimError)
    assert copy.messages("zh") == error.messages("zh") and str(copy) == str(error)


def test_an_error_can_name_a_file_differently_in_every_language(tmp_path, shanghai):
    error = rejected(write(tmp_path, "child", "extends: nothing-here\n"), shanghai)
    shown = error.renamed(str(tmp_path), "uploads")
    assert type(shown) is ScenarioError
    for lang in ("zh", "en"):
        text = "\n".join(shown.messages(lang))
        assert str(tmp_path) not in text and "uploads/child.yaml" in text and "uploads/nothing-here.yaml" in text


def test_a_file_name_too_long_for_the_file_system(tmp_path, shanghai):
    with pytest.raises(ScenarioError) as caught:
        load_scenario(tmp_path / ("x" * 300 + "y.yaml"), shanghai)
    error = caught.value
    assert "xxxy.yaml: cannot read: file name too long" in str(error)
    assert len(str(error)) < 250
    assert "文件名过长" in error.messages("zh")[0]
