"""Board rules that need state: they use the store and the rooms, raise domain errors."""
