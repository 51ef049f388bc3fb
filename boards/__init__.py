"""The Samsyn board domain: document layout, templates, read model and exports (pure Python)."""
