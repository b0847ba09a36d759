"""Serving the dashboard to a class: several `streamlit run app.py` workers behind nginx, under supervisord."""
