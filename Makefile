# ceso — make help lists the targets.
GO          ?= go
GOBIN       := $(shell $(GO) env GOPATH)/bin
STATICCHECK ?= $(GOBIN)/staticcheck
STATICCHECK_VERSION := v0.8.2
PKGS        := ./...
COVERPROFILE ?= coverage.txt

.PHONY: help build demo test test-norace check fmt-check vet staticcheck tidy-check cover chaos bench fuzz tools clean deploy-check dashboard

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F ':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

build: ## build bin/ceso
	$(GO) build -o bin/ceso ./cmd/ceso

demo: ## run the walk-through on an embedded simulated host
	$(GO) run ./cmd/ceso demo

test: ## unit and integration tests with the race detector
	$(GO) test -race -count=1 $(PKGS)

test-norace: ## the tests once without the race detector (timing differs: flaky tests show up here)
	$(GO) test -count=1 $(PKGS)

check: fmt-check vet staticcheck tidy-check cover test-norace chaos deploy-check ## everything CI runs: format, vet, staticcheck, tidy, race tests with coverage floors, tests without -race, chaos tests, Prometheus rules
	@echo "check: all passed"

fmt-check: ## fail if gofmt would change a file
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi

vet: ## go vet, including the build-tagged tests
	$(GO) vet $(PKGS)
	$(GO) vet -tags=chaos,integration $(PKGS)

staticcheck: tools ## staticcheck
	$(STATICCHECK) $(PKGS)
	$(STATICCHECK) -tags=chaos $(PKGS)

tidy-check: ## fail if go mod tidy would change go.mod or go.sum
	$(GO) mod tidy -diff

cover: ## race tests with coverage, the per-package table, and the floors in .ci/coverage-floors
	$(GO) test -race -count=1 -covermode=atomic -coverpkg=./... -coverprofile=$(COVERPROFILE) $(PKGS)
	$(GO) run ./internal/tools/covercheck -profile $(COVERPROFILE) -floors .ci/coverage-floors

chaos: ## fault-injection tests (network cuts, full datastore, timeouts, concurrency)
	$(GO) test -race -count=1 -tags=chaos ./test/chaos/...

bench: ## benchmarks (list, lifecycle, backup); see docs/performance.md
	$(GO) test -run='^$$' -bench=. -benchtime=3x ./pkg/esxi/vm/ ./test/benchmark/...

fuzz: ## run every fuzz target briefly (FUZZTIME=30s; a crasher is minimised for at most FUZZMINIMIZETIME=10s)
	@for pkg in $$($(GO) list ./...); do \
	  for f in $$($(GO) test -list '^Fuzz' $$pkg 2>/dev/null | grep '^Fuzz'); do \
	    echo "fuzz $$pkg $$f"; $(GO) test -run='^$$' -fuzz="^$$f$$" -fuzztime=$${FUZZTIME:-30s} -fuzzminimizetime=$${FUZZMINIMIZETIME:-10s} $$pkg || exit 1; \
	  done; done

deploy-check: ## promtool check rules and test rules on deploy/prometheus (missing promtool: skipped, or an error under CI=true)
	@if command -v promtool >/dev/null 2>&1; then \
	  promtool check rules deploy/prometheus/ceso-rules.yml && \
	  (cd deploy/prometheus && promtool test rules ceso-rules.test.yml); \
	elif [ "$$CI" = true ]; then echo "deploy-check: promtool missing (Debian package prometheus)"; exit 1; \
	else echo "deploy-check: promtool missing (Debian package prometheus): skipped"; fi

dashboard: ## regenerate deploy/grafana/ceso-dashboard.json
	$(GO) generate ./deploy/grafana

tools: ## install the pinned staticcheck if missing
	@test -x $(STATICCHECK) || $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)

clean: ## remove build and coverage output
	rm -rf bin $(COVERPROFILE)
