"""`python -m concbench_poly` is the same as the concbench-poly console script."""

from concbench_poly.cli import main

main()
