"""Command-line tools around the pure core: evaluation reports and labelled-set builders."""
