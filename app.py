"""PRD Assistant web app: ``streamlit run app.py``. Wires the page together, no logic here."""

import streamlit as st

from prd_assistant.ui import (
    auth,
    describe,
    draft_view,
    history,
    review_pane,
    run,
    sharing,
    sidebar,
    state,
    versions,
)

# A Material icon, not an emoji: checking an emoji loads Streamlit's emoji table (50 ms of
# the first paint).
st.set_page_config(page_title="PRD Assistant", page_icon=":material/edit_note:", layout="wide")
state.init_state()
auth.require_user()
sidebar.init_defaults()
sidebar.take_template_upload()
state.restore_from_url()
sidebar.adopt_draft_model(state.draft())
run.follow_run(state.draft())

with st.sidebar:
    auth.render_account()
    sidebar.render_model_settings()
    # Filled once the form is drawn: the template's caption loads the Markdown parser and
    # History opens the database, neither of which a first paint should wait for.
    template_slot, history_slot, sharing_slot = st.container(), st.container(), st.container()

st.title("PRD Assistant")
st.html(describe.PAGE_STYLE)
state.show_flashes()
state.render_save_problems()
sidebar.render_mode_banner()
versions.render_preview()

draft = state.draft()
if not describe.render_clarify_form():
    with st.expander("Describe the service", expanded=draft is None):
        describe.render_input()
with template_slot:
    sidebar.render_template_picker()
with history_slot:
    history.render_history()
with sharing_slot:
    sharing.render_sharing()

if not run.execute_pending_run() and draft is not None:
    located = review_pane.findings(draft)
    draft_view.render_summary(draft, review_pane.dismissals(draft, located))
    left, right = st.columns([3, 2], gap="large")
    with left:
        live = draft_view.render_draft(draft, review_pane.active(located))
    with right, st.container(key="review_pane"):
        review_pane.render_review(draft, located)
    if live:
        run.execute_pending_run(live)
