# Side by side with Rasa's starter bot (issue 15, item 1). Not one of BENCH_STEPS: it builds and trains a second
# bot and runs 12 load levels against each bot (about 10 minutes), so `make bench` stays as it was.
BENCH_COMPARE_SECONDS ?= 20
BENCH_COMPARE_PAIRS ?= 5
APP_MYPY_PATHS += scripts/bench_compare.py scripts/profile_turn.py

.PHONY: bench-compare

bench-compare: venvs $(MODEL) ## Wegwijzer vs `rasa init` starter bot, same closed-loop load (~13 min) -> results/bench-compare.json
	$(APP_PY) -m scripts.bench_compare --seconds $(BENCH_COMPARE_SECONDS) --repeat-10 $(BENCH_COMPARE_PAIRS) --out results/bench-compare.json

.PHONY: profile-turn

profile-turn: venvs $(MODEL) ## Where a turn's CPU goes: py-spy on Rasa and the action server under load -> results/profile-turn.json
	$(APP_PY) -m scripts.profile_turn --out results/profile-turn.json

# One vs two Rasa instances on the production endpoints (issue 15, item 4). Not in `make test` or BENCH_STEPS:
# it starts a PostgreSQL cluster, Redis, an action server and two Rasa instances (about 5 minutes).
BENCH_SCALE_SECONDS ?= 20
BENCH_SCALE_LEVELS ?= 10:0,50:0,50:2
APP_MYPY_PATHS += scripts/bench_scale.py

.PHONY: bench-scale

bench-scale: venvs $(MODEL) redis-server ## One vs two Rasa on PostgreSQL tracker + Redis lock, same closed-loop load -> results/bench-scale.json
	$(APP_PY) -m scripts.bench_scale --seconds $(BENCH_SCALE_SECONDS) --levels $(BENCH_SCALE_LEVELS) --out results/bench-scale.json
