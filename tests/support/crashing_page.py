"""A page that fails, for tests/app/test_error_details.py: run by `streamlit run` with the app's config."""
import streamlit as st

st.title("About to fail")
raise RuntimeError(f"secret detail from {__file__}")
