//! Current vs future: what a future-state map changes.
