"""The Streamlit app's parts: state in the URL, words in two languages, charts, the model diagram.

``app.py`` at the project root is the entry point (``streamlit run app.py``).
"""
