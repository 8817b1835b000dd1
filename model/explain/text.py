"""An explanation as text in Chinese or English: the dominant-loop periods table and the
indented causes tree (words from model/words.yaml, variable names from model/variables_zh.yaml)."""
from __future__ import annotations


from ..i18n import t, unit, variable_words
from . import Explanation
from .causes import Cause
from .loops import OTHER



def variable_name(name: str, lang: str) -> str:
    """A model variable's name in ``lang`` (the model file's name in English)."""
    if lang == "zh":
        return variable_words().get(name, {}).get("name", name)
    return name


def number(value: float) -> str:
    """A value with as many digits as a reader needs (model units)."""
    if value != value:
        return "–"
    size = abs(value)
    if size >= 1000:
        return f"{value:,.0f}"
    if size >= 1:
        return f"{value:,.2f}"
    return f"{value:.3g}"


def loop_label(explanation: Explanation, key: str, lang: str) -> str:
    """A declared loop's id and name, or "other loop rNN"."""
    if key == OTHER:
        return t("explain_other_loops", lang)
    declared = {d.id: d for d in explanation.declared}
    if key in declared:
        return f"{key} {declared[key].name(lang)}"
    return t("explain_other_loop", lang, n=explanation.dominance.number(key))


def chain(variables: tuple[str, ...], lang: str, start: tuple[str, ...] = ()) -> str:
    """A loop's variables in causal order, from the first of ``start`` it passes through."""
    first = next((variables.index(s) for s in start if s in variables), 0)
    turned = variables[first:] + variables[:first]
    return " → ".join(variable_name(v, lang) for v in turned + turned[:1])


def period_rows(explanation: Explanation, lang: str) -> list[tuple[str, str]]:
    """(years, dominant loops with their mean share in the period) per period."""
    found = explanation.dominance
    rows = []
    for first, last, keys, more in found.periods:
        span = (found.years >= first) & (found.years <= last) & found.active
        parts = [f"{loop_label(explanation, k, lang)} ({abs(found.shares[k][span]).mean():.0%})" for k in keys]
        if more:
            parts.append(t("explain_more", lang, n=more))
        rows.append((f"{first}" if first == last else f"{first}-{last}", ", ".join(parts)))
    return rows


def cause_lines(node: Cause, lang: str, depth: int = 0) -> list[str]:
    """The tree, one indented line per variable; constants equal in both runs are left out
    (they cannot explain a change) and counted on one line."""
    relative = "" if node.relative != node.relative or node.change == 0 else f", {node.relative:+.1%}"
    change = number(node.change)
    line = t("explain_cause_line", lang, name=variable_name(node.name, lang), unit=unit(node.units, lang),
             value=number(node.value), against=number(node.against),
             change=change if change.startswith(("-", "–")) else "+" + change, relative=relative)
    out = ["  " * depth + ("- " if depth else "") + line]
    kept = [c for c in node.children if not (c.kind == "constant" and c.change == 0)]
    for child in kept:
        out += cause_lines(child, lang, depth + 1)
    if len(kept) < len(node.children):
        out.append("  " * (depth + 1) + "- " + t("explain_constants_hidden", lang, n=len(node.children) - len(kept)))
    return out


def render(explanation: Explanation, label: str, scenario: str, against: str, lang: str) -> str:
    """The whole explanation as text."""
    found = explanation.dominance
    lines = [t("explain_title", lang, label=label, variable=variable_name(explanation.variable, lang)),
             t("explain_runs", lang, scenario=scenario, against=against, start=int(found.years[0]),
               end=int(found.years[-1])), "", t("explain_loops_header", lang)]
    if not found.loops:
        lines.append(t("explain_no_loops", lang))
    else:
        rows = period_rows(explanation, lang)
        width = max(len(t("explain_years", lang)), *(len(r[0]) for r in rows)) + 2
        lines.append(t("explain_years", lang).ljust(width) + t("explain_dominant", lang))
        lines += [years.ljust(width) + text for years, text in rows]
        others = [k for k in _shown_keys(found) if found.loops[k]["declared"] is None]
        start = (explanation.variable, *(c.name for c in explanation.causes.children))
        if others:
            lines += ["", t("explain_other_loops_list", lang)]
            for key in others:
                loop = found.loops[key]
                lines.append(f"  {loop_label(explanation, key, lang)}: " + t("explain_loop_variables", lang, polarity=t(f"explain_{loop['polarity']}", lang),
                                             n=len(loop["variables"]), chain=chain(loop["variables"], lang, start)))
        if not found.complete:
            lines.append(t("explain_sampled", lang))
    if found.missing:
        lines.append(t("explain_missing", lang, loops=", ".join(loop_label(explanation, k, lang) for k in found.missing)))
    lines += ["", t("explain_causes_header", lang, year=explanation.year, scenario=scenario, against=against)]
    lines += cause_lines(explanation.causes, lang)
    return "\n".join(lines)


def _shown_keys(found) -> list[str]:
    """The loops named in the periods table, in order of first appearance."""
    keys: list[str] = []
    for _, _, period_keys, _ in found.periods:
        keys += [k for k in period_keys if k not in keys]
    return keys



