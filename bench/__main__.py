"""``python -m bench build|run|all`` — see bench/run.py."""

from bench.run import main

main()
