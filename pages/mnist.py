import streamlit as st
st.title("MNIST: train a digit classifier")
