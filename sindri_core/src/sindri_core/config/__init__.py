"""``sindri.yaml``: the model, its loading and validation, and its JSON Schema."""
