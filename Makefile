# Two commands for a fresh clone with Python 3.11, 3.12 or 3.13 and make:
#   make preview   offline preview of the dev stack (resource tree, policy verdicts, URL)
#   make test      the whole test suite (`make test PYTHON=python3.13` on another Python)
#   make lint      ruff and mypy (pydantic plugin), as CI runs them first
PYTHON ?= python3
# The interpreter's own path. Under pyenv a `python3.13` that is installed but not among the
# active versions answers "command not found": pyenv is then asked for it by name.
PYTHON_BIN := $(shell $(PYTHON) -c 'import sys; print(sys.executable)' 2>/dev/null || \
  PYENV_VERSION="$$(pyenv versions --bare 2>/dev/null | tr '\n' ':')" pyenv which $(PYTHON) 2>/dev/null)
# `venv` is the one Pulumi.yaml names, so `pulumi up` reuses it; another PYTHON gets its own.
VENV   ?= $(if $(filter python3,$(PYTHON)),venv,venv-$(notdir $(PYTHON)))
PY     := $(VENV)/bin/python
STACK  ?= dev
STAMP  := $(VENV)/.installed

.PHONY: preview test lint lock preflight-all rehearse bench bench-peers clean

$(STAMP): requirements.txt requirements-dev.txt policies/requirements.txt requirements.lock
	@test -n "$(PYTHON_BIN)" || { echo "make: no interpreter '$(PYTHON)' (Python 3.11, 3.12 or 3.13; PYTHON=...)" >&2; exit 2; }
	@test -x $(PY) || $(PYTHON_BIN) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

# The plan as after `pulumi up`, values only AWS assigns (ids, the ALB's DNS
# name, so the URL) simulated and marked so; `make preview ARGS=--preview`
# leaves them unknown as `pulumi preview` of a new stack does.
preview: $(STAMP)
	$(PY) -m preflight --stack $(STACK) $(ARGS)

test: $(STAMP)
	$(PY) -m pytest -q

# Rules and settings: pyproject.toml ([tool.ruff], [tool.mypy]).
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	MYPYPATH=policies:bench $(VENV)/bin/mypy policies/__main__.py bench/*.py

# requirements.lock from the ranges in requirements*.txt, today's versions kept where
# they still fit (`make lock ARGS=--upgrade` to take the newest). The `-c` line is left
# out while resolving, or the old lock would pin the new one.
LOCK_TMP := $(VENV)/lock-inputs
lock: $(STAMP)
	rm -rf $(LOCK_TMP) && mkdir -p $(LOCK_TMP)/policies
	sed '/^-c /d' requirements.txt > $(LOCK_TMP)/requirements.txt
	cp requirements-dev.txt $(LOCK_TMP)/ && sed '/^-c /d' policies/requirements.txt > $(LOCK_TMP)/policies/requirements.txt
	sed '/^#/d' requirements.lock > $(LOCK_TMP)/requirements.lock
	cd $(LOCK_TMP) && ../bin/uv pip compile --universal --python-version 3.11 --quiet --no-header \
	  --annotation-style line $(ARGS) requirements-dev.txt -o requirements.lock
	{ sed -n '/^#/p' requirements.lock; cat $(LOCK_TMP)/requirements.lock; } > requirements.lock.new
	mv requirements.lock.new requirements.lock && rm -rf $(LOCK_TMP)

# Every committed stack file previews offline with no mandatory violation.
preflight-all: $(STAMP)
	@set -e; for f in Pulumi.*.yaml; do \
	  stack=$${f#Pulumi.}; stack=$${stack%.yaml}; \
	  echo "== preflight $$stack"; \
	  $(PY) -m preflight --stack $$stack --preview > /dev/null; \
	  $(PY) -m preflight --stack $$stack > /dev/null; \
	done

# Every committed stack and the update scenarios applied by the Terraform AWS provider 5.100
# against moto, re-planned, updated and destroyed (needs terraform and the provider's mirror).
# Needs Terraform and the AWS provider 5.100 on this machine: exit 2 naming what to install if not.
rehearse: $(STAMP)
	$(PY) -m rehearsal --check
	REHEARSE=1 $(PY) -m pytest -q -m rehearsal tests/rehearsal

bench: $(STAMP)
	$(PY) bench/preflight_bench.py
	$(PY) bench/pack_scale.py

# Side by side with AWS CDK + cdk-nag (needs Node.js and npm; `make bench` does not).
# `make bench-peers ARGS="--repetitions 7 --sizes 1,40"` to change the run.
CDK_PEER := bench/peers/cdk
$(CDK_PEER)/node_modules/.package-lock.json: $(CDK_PEER)/package.json $(CDK_PEER)/package-lock.json
	cd $(CDK_PEER) && npm ci --no-audit --no-fund

bench-peers: $(STAMP) $(CDK_PEER)/node_modules/.package-lock.json
	$(PY) bench/peers_bench.py $(ARGS)

clean:
	rm -rf venv venv-* .pytest_cache .hypothesis
