"""The Streamlit page, in parts that ``app.py`` wires together.

``state`` (session keys, saving), ``sidebar`` (model and template), ``describe`` (description,
estimate, clarifying form), ``run`` (streaming a drafting run into the page), ``draft_view``
(sections and their controls), ``review_pane`` (findings and AI suggestions), ``history``,
``highlight`` (escaped Markdown with flags) and ``actions`` (what clicks do to a draft).
"""
