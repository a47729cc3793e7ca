"""Neural Lab's app helpers: the logic the Streamlit pages share (never imported by nn/)."""
