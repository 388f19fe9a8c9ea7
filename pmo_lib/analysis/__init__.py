"""Everything a run computes from one portfolio, once, and its hand-off from the runner to the kernels."""
