# Two commands on a fresh machine:
#   make run    install everything, then start the dashboard
#   make test   install everything, then run the whole test suite
#   make serve  install everything, then serve a class: WORKERS workers (default: one per core) behind nginx on PORT
#               (default 8500), under supervisord (see serve/launch.py)
# Run again, they reuse what is installed (each step below is skipped when already done).

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
VADER := data/vaderSentiment-3.3.2.tar.gz

.PHONY: run serve test install install-test debian-packages browser wasm data checkpoints

# The warm-up opens every section and lecture stop once the server answers (core/ui/warmup.py).
run: install
	@$(PY) -m core.ui.warmup & $(VENV)/bin/streamlit run app.py

serve: install
	$(PY) -m serve --port $(or $(PORT),8500) $(if $(WORKERS),--workers $(WORKERS))

test: install-test
	$(PY) -m pytest

install: $(VENV)/.installed debian-packages data

install-test: install $(VENV)/.installed-test browser

$(VENV)/.installed: requirements.txt
	@scripts/make-venv.sh $(PYTHON) $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

debian-packages:
	@scripts/debian-packages.sh $$(grep -v '^#' packages.txt)

browser:
	@scripts/debian-packages.sh chromium nodejs wabt

# Rebuild the browser engines' WebAssembly from its source (shipped built; a unit test checks the two agree).
WASM := core/feed_forward/ui/playground_maps core/generative/ui/gan2d_products
wasm: browser
	for module in $(WASM); do wat2wasm $$module.wat -o $$module.wasm || exit 1; done

data: $(VADER)

# The movie-review snippets travel inside vaderSentiment's source tarball (its wheel lacks them).
$(VADER): | $(VENV)/.installed
	$(PY) -m pip download --quiet --disable-pip-version-check --no-deps --no-binary :all: vaderSentiment==3.3.2 -d data

# Rebuild every shipped checkpoint from scratch (deterministic; see assets/checkpoints/manifest.json).
checkpoints: install
	$(PY) -m core.recipes all
