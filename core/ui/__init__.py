"""Streamlit widgets shared by every page: URL state, projector mode, image inputs."""
