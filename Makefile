# Vigie's developer entry points. `make` (or `make help`) lists the targets; each one is
# documented by the `## ` comment on its line. CI runs `make test` (see .ci/run).
#
# Real services for tests and benchmarks (Kafka 4.1.1 on 127.0.0.1:19092, redis-server
# on 127.0.0.1:16379) are managed by scripts/services.sh; downloads and state live in
# .cache/.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

GO ?= go
# Extra arguments for `vigie dev` (make run) and `vigie bench` (make bench).
RUN_ARGS ?=
BENCH_ARGS ?=
# Arguments for `vigie loadtest` in `make bench-check` (default: --rate 500 --warmup 15s --duration 60s).
CHECK_ARGS ?=
# Packages whose Fuzz* tests `make fuzz` runs, and how long each one fuzzes.
FUZZ_PKGS ?= ./classify
FUZZ_TIME ?= 30s

.PHONY: help build run services-up services-down services-status test test-unit test-cluster bench bench-check lint fuzz k8s k8s-rules model

help: ## List the targets (the default)
	@echo "Usage: make TARGET [VAR=value...]"
	@echo
	@awk 'BEGIN { FS = ":.*## " } /^[a-zA-Z0-9_-]+:.*## / { printf "  %-16s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)
	@echo
	@echo "Variables: RUN_ARGS, BENCH_ARGS, CHECK_ARGS, FUZZ_PKGS (default $(FUZZ_PKGS)), FUZZ_TIME (default $(FUZZ_TIME)), GO"

build: ## Build the vigie binary into bin/vigie
	$(GO) build -o bin/vigie ./cmd/vigie

run: ## Run every role in one process: go run ./cmd/vigie dev, plus RUN_ARGS
	$(GO) run ./cmd/vigie dev $(RUN_ARGS)

services-up: ## Start fresh Kafka (127.0.0.1:19092) and Redis (127.0.0.1:16379), installing them if missing
	scripts/services.sh up

services-down: ## Stop Kafka and Redis started by services-up
	scripts/services.sh down

services-status: ## Say whether Kafka and Redis answer
	scripts/services.sh status

test: ## Start the services, check gofmt and go vet, run all tests with -race, always stop the services; then test-cluster
	scripts/test.sh

test-cluster: ## Scale-out proof: 3-broker Kafka cluster (127.0.0.1:29092-29094), classify processes, faults; figures in test-artifacts/
	scripts/test.sh cluster-all

k8s: ## Print the prod manifests (go tool kustomize build k8s/overlays/prod)
	$(GO) tool kustomize build k8s/overlays/prod

MODEL_DATA = $(sort $(wildcard classify/testdata/*.jsonl)) $(sort $(wildcard classify/testdata/golden/*.txt))

model: ## Retrain the built-in troll and spam models on the labelled corpora and golden files in classify/testdata
	$(GO) run ./cmd/vigie train -label troll -o classify/rules/troll.model $(MODEL_DATA)
	$(GO) run ./cmd/vigie train -label spam -o classify/rules/spam.model $(MODEL_DATA)

k8s-rules: ## Copy the built-in rule file into the manifests' ConfigMap
	cp classify/rules/default.yaml k8s/base/common/rules.yaml

test-unit: ## Run the tests that need no services (go test -race -short ./...)
	$(GO) test -race -short ./...

# `vigie bench` reads VIGIE_KAFKA_BROKERS / VIGIE_REDIS_ADDR; point them at the services
# that `services.sh run` started (it exports VIGIE_TEST_KAFKA / VIGIE_TEST_REDIS).
bench: ## Run go run ./cmd/vigie bench, plus BENCH_ARGS, against fresh services, then stop them
	scripts/services.sh run sh -c 'VIGIE_KAFKA_BROKERS="$$VIGIE_TEST_KAFKA" VIGIE_REDIS_ADDR="$$VIGIE_TEST_REDIS" exec "$$0" run ./cmd/vigie bench "$$@"' $(GO) $(BENCH_ARGS)

bench-check: ## Load POST /v1/check (vigie loadtest, CHECK_ARGS) on vigie ingest against fresh services, then stop them
	scripts/services.sh run scripts/bench-check.sh $(CHECK_ARGS)

lint: ## Fail on unformatted Go files (gofmt -l) and on go vet findings
	scripts/test.sh lint

fuzz: ## Run each Fuzz* test of the packages in FUZZ_PKGS for FUZZ_TIME
	FUZZ_TIME=$(FUZZ_TIME) scripts/test.sh fuzz $(FUZZ_PKGS)
