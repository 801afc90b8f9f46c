# Side by side with Rasa's starter bot (issue 15, item 1). Not one of BENCH_STEPS: it builds and trains a second
# bot and runs 12 load levels against each bot (about 10 minutes), so `make bench` stays as it was.
BENCH_COMPARE_SECONDS ?= 20
BENCH_COMPARE_PAIRS ?= 5
APP_MYPY_PATHS += scripts/bench_compare.py scripts/profile_turn.py

.PHONY: bench-compare

bench-compare: venvs $(MODEL) ## Wegwijzer vs `rasa init` starter bot, same closed-loop load (~13 min) -> results/bench-compare.json
	$(APP_PY) scripts/bench_compare.py --seconds $(BENCH_COMPARE_SECONDS) --repeat-10 $(BENCH_COMPARE_PAIRS) --out results/bench-compare.json

.PHONY: profile-turn

profile-turn: venvs $(MODEL) ## Where a turn's CPU goes: py-spy on Rasa and the action server under load -> results/profile-turn.json
	$(APP_PY) scripts/profile_turn.py --out results/profile-turn.json
