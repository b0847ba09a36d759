"""Everything that computes: data, models, training, explanations. Testable without Streamlit."""
