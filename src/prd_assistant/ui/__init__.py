"""The Streamlit page, in parts that ``app.py`` wires together.

``state`` (session keys, saving), ``sidebar`` (model and template), ``describe`` (description,
estimate, clarifying form), ``run`` (streaming a drafting run into the page), ``draft_view``
(sections and their controls), ``review_pane`` (findings and AI suggestions), ``history``,
``highlight`` (escaped Markdown with flags) and ``actions`` (what clicks do to a draft).
"""

from prd_assistant.redaction import get_logger

# Streamlit logs an exception the page does not catch, trace and all, on this logger (it does
# not propagate, so only a filter on the logger itself reaches it): redacted like ours.
get_logger("streamlit.error_util")
