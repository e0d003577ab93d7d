# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INDEX := var/index
export HF_HUB_OFFLINE := 1

.PHONY: install run build test bench clean

$(BIN)/clinicbot: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

install: $(BIN)/clinicbot

$(INDEX)/current: | $(BIN)/clinicbot
	$(BIN)/clinicbot build --index $(INDEX)

build: install
	$(BIN)/clinicbot build --index $(INDEX)

run: install $(INDEX)/current
	$(BIN)/clinicbot serve --index $(INDEX)

/usr/bin/chromium:
	@command -v apt-get >/dev/null || { echo "install Chromium at /usr/bin/chromium for the browser tests"; exit 1; }
	apt-get update -qq && apt-get install -y -qq chromium

test: install /usr/bin/chromium
	$(BIN)/pytest

bench: install $(INDEX)/current
	$(BIN)/python scripts/bench.py --index $(INDEX)

clean:
	rm -rf $(VENV) var
