"""Widgets whose options are shown in words, keyed per language (see ``state.widget_key``)."""
from __future__ import annotations

import streamlit as st

from . import state


def choice(widget, name: str, lang: str, label: str, options: list, format_func, on_change=None, **kwargs):
    """Draw ``widget`` (st.selectbox, st.multiselect, st.radio) for the choice ``name`` in
    ``lang``. The choice, by option id, is kept under ``name`` in session state; the widget is
    keyed ``name__lang``, so after a language switch the browser gets a new widget with its
    options in the new language and never sends back an option text of the old one."""
    key = state.widget_key(name, lang)
    chosen = st.session_state[name]
    if st.session_state.get(key) != chosen:  # first drawn in this language, or moved by a callback
        st.session_state[key] = chosen

    def sync() -> None:
        st.session_state[name] = st.session_state[key]
        if on_change is not None:
            on_change()

    return widget(label, options, key=key, format_func=format_func, on_change=sync, **kwargs)
