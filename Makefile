# `make run` and `make test` work on a fresh machine with only Python 3.10+ and pip:
# each creates .venv if absent and installs the project into it.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
OUT ?= out
JOBS ?= auto

.PHONY: run test bench lint clean tokenizer train ablate

$(STAMP): setup.py
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet -e '.[dev,gcp,train]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/massivetext sample --output $(OUT)/sample/sample.warc.gz
	$(BIN)/massivetext run --input $(OUT)/sample/sample.warc.gz \
		--test-sets $(OUT)/sample/sample-testset.jsonl --output $(OUT)/curated --overwrite
	$(BIN)/massivetext stats $(OUT)/curated
	$(BIN)/massivetext report $(OUT)/curated
	$(BIN)/massivetext sample --explain $(OUT)/sample/sample-manifest.json

# Train a tokenizer on the sample's curated output (`make run` first if it is missing)
# and print its Table A2 line and one decoded training row. The documents `make train`
# holds out (HOLDOUT_FRACTION, by id) are left out of the tokenizer's sample too.
TOKENIZER_VOCAB ?= 4096
HOLDOUT_FRACTION ?= 0.1
tokenizer: $(STAMP)
	test -f $(OUT)/curated/massiveweb/manifest.json || $(MAKE) run
	$(BIN)/massivetext tokenizer train --data $(OUT)/curated --vocab-size $(TOKENIZER_VOCAB) \
		--holdout-fraction $(HOLDOUT_FRACTION) --output $(OUT)/tokenizer/sample.model
	$(BIN)/massivetext tokenizer stats --tokenizer $(OUT)/tokenizer/sample.model --data $(OUT)/curated
	$(BIN)/massivetext sequences --data $(OUT)/curated --tokenizer $(OUT)/tokenizer/sample.model \
		--seq-len 256 --show 1

# From nothing to a trained model on CPU in a few minutes: the sample crawl, curated
# shards and tokenizer (make run, make tokenizer), then a shrunken Gopher trained for
# TRAIN_STEPS steps; bits per byte before and after on the sample's test set
# (decontaminated away from training), the held-out 10% of the curated documents (never
# trained on, by the model or the tokenizer), WikiText and LAMBADA when ../shared/data
# has them.
TRAIN_STEPS ?= 300
EVAL_SETS ?= $(OUT)/sample/sample-testset.jsonl \
	$(wildcard ../shared/data/evalsets/wikitext-2/test.txt ../shared/data/evalsets/lambada_openai.jsonl)
TRAIN_OPTIONS = --model gopher-tiny --tokenizer $(OUT)/tokenizer/sample.model \
	--steps $(TRAIN_STEPS) --seq-len 128 --batch-tokens 2048 --warmup-steps 30 \
	--eval-every 100 --checkpoint-every 100 --eval-sets $(EVAL_SETS) --eval-docs 40 \
	--holdout-fraction $(HOLDOUT_FRACTION) --eval-data $(OUT)/curated
train: $(STAMP)
	test -f $(OUT)/tokenizer/sample.model || $(MAKE) tokenizer
	rm -rf $(OUT)/train
	$(BIN)/massivetext train $(TRAIN_OPTIONS) --data $(OUT)/curated --output $(OUT)/train

# A data ablation: the same model trained on the sample curated with and without
# deduplication, each one's bits per byte on the same evaluation sets (the held-out
# documents, by id, are left out of both arms' training).
ablate: $(STAMP)
	test -f $(OUT)/tokenizer/sample.model || $(MAKE) tokenizer
	$(BIN)/massivetext run --input $(OUT)/sample/sample.warc.gz --no-dedup \
		--test-sets $(OUT)/sample/sample-testset.jsonl --output $(OUT)/curated-no-dedup --overwrite
	rm -rf $(OUT)/ablation
	$(BIN)/massivetext ablate --data $(OUT)/curated $(OUT)/curated-no-dedup \
		--output $(OUT)/ablation $(TRAIN_OPTIONS) --no-progress

test: $(STAMP)
	$(BIN)/python -m pytest -q -n $(JOBS) tests

bench: $(STAMP)
	$(BIN)/python -m benchmarks

lint: $(STAMP)
	$(BIN)/ruff check massivetext filters pipelines tests benchmarks

clean:
	rm -rf $(OUT) build *.egg-info .pytest_cache
