import streamlit as st
st.title("Theory: the equations, live")
