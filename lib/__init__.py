"""Data and logic of the education data explorer: no Streamlit here."""
