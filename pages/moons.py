import streamlit as st
st.title("Moons playground")
