"""The Streamlit pieces that pages share: the extract, URL state, filter sidebar, banner,
tables. Besides ``app.py`` and ``pages/``, the only place that imports streamlit."""
