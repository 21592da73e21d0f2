"""Report tables arrive with the exports issue."""
