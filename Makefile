# winreach: build, test, lint, fuzz and benchmark. `make test` is what CI runs.
GO        ?= go
BIN       ?= bin/winreach
PLATFORMS := linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64
FUZZTIME  ?= 10s
LAB       := scanner/lab/lab.sh

.PHONY: build test unit lint cross fuzz bench lab-up lab-down test-lab scan-localhost

build:
	$(GO) build -o $(BIN) ./cmd/winreach

# All tests: lint, unit tests, then the lab (real daemons in network
# namespaces) when run as root. CI=true makes the lab mandatory.
test: lint unit
	@if [ "$$(id -u)" -eq 0 ]; then \
		$(MAKE) --no-print-directory test-lab; \
	elif [ -n "$$CI" ]; then \
		echo "!!! CI: the lab tests need root and this is uid $$(id -u): FAILING" >&2; exit 1; \
	else \
		echo "!!! LAB TESTS SKIPPED: they need root (network namespaces, nftables, real daemons). Run 'sudo make test' or 'sudo make test-lab'." >&2; \
	fi

unit:
	$(GO) test -race -count=1 ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) vet -tags lab ./scanner/lab/...

# Every platform winreach ships for builds, with its per-OS files.
cross:
	@set -e; for p in $(PLATFORMS); do \
		echo "build $$p"; \
		GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) build -o /dev/null ./cmd/...; \
		GOOS=$${p%/*} GOARCH=$${p#*/} CGO_ENABLED=0 $(GO) vet ./probes/... ./scanner/ ./cmd/...; \
	done

# Each native Fuzz test runs for FUZZTIME: a duration (10s) or a count of
# inputs (10000x, what CI uses: a duration can end in a spurious "context
# deadline exceeded" from Go 1.26's coordinator, golang/go#75804).
fuzz:
	@set -e; for pkg in $$($(GO) list ./...); do \
		for f in $$($(GO) test -list '^Fuzz' $$pkg | grep '^Fuzz' || true); do \
			echo "fuzz $$pkg $$f"; \
			$(GO) test -run '^$$' -fuzz "^$$f$$" -fuzztime $(FUZZTIME) $$pkg; \
		done; \
	done

# Go benchmarks, then winreach against nmap on the same targets.
bench: build
	$(GO) test -run '^$$' -bench . -benchmem ./...
	$(GO) run ./scanner/bench -winreach $(BIN)

lab-up:
	$(LAB) up

lab-down:
	$(LAB) down

test-lab: build
	$(GO) build -o bin/winreach-labd ./cmd/winreach-labd
	$(GO) test -tags lab -count=1 -v -timeout 20m ./scanner/lab/...

scan-localhost:
	$(GO) run ./cmd/winreach scan localhost
