# winreach: build, test, lint, fuzz and benchmark. `make test` is what CI runs.
GO        ?= go
BIN       ?= bin/winreach
PLATFORMS := linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64
FUZZTIME  ?= 10s
# staticcheck at a pinned version, installed once into a cache directory.
STATICCHECK_VERSION := v0.8.2
TOOLS     ?= $(shell $(GO) env GOPATH)/winreach-tools/staticcheck-$(STATICCHECK_VERSION)
LAB       := scanner/lab/lab.sh
# The version and commit a build names (winreach version): from git when
# this is a checkout. Go stamps the commit itself only where .git is a
# directory (not in a git worktree), so it is passed here too.
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT    ?= $(shell git rev-parse HEAD 2>/dev/null)
COMMITTED ?= $(shell git log -1 --format=%cI 2>/dev/null)
MODIFIED  ?= $(shell git status --porcelain 2>/dev/null | grep -q . && echo true || echo false)
LDFLAGS   := -X main.releaseVersion=$(VERSION) -X main.releaseCommit=$(COMMIT) \
             -X main.releaseCommitTime=$(COMMITTED) -X main.releaseModified=$(MODIFIED)
DIST      ?= dist

.PHONY: build test unit lint cross release man fuzz bench lab-up lab-down test-lab scan-localhost

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/winreach

# The manual page, generated from the flag definitions the commands parse.
man: build
	@mkdir -p $(DIST)
	$(BIN) man > $(DIST)/winreach.1

# Release archives for every platform: static (CGO_ENABLED=0), -trimpath,
# version from git describe; .tar.gz for unix, .zip for windows, each with
# the binary, README.md and the man page; SHA256SUMS over the archives.
# Archives are reproducible: fixed order, owner and modification time.
release: man
	@set -e; mtime=$$(git log -1 --format=%cI 2>/dev/null || echo 2026-01-01T00:00:00Z); \
	for p in $(PLATFORMS); do \
		os=$${p%/*}; arch=$${p#*/}; name=winreach-$(VERSION)-$$os-$$arch; dir=$(DIST)/$$name; \
		exe=winreach; [ $$os = windows ] && exe=winreach.exe; \
		rm -rf $$dir; mkdir -p $$dir; \
		echo "release $$name"; \
		GOOS=$$os GOARCH=$$arch CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w $(LDFLAGS)" -o $$dir/$$exe ./cmd/winreach; \
		cp README.md $(DIST)/winreach.1 $$dir/; \
		touch -d "$$mtime" $$dir $$dir/*; \
		if [ $$os = windows ]; then \
			rm -f $$dir.zip; (cd $(DIST) && zip -qrX $$name.zip $$name); \
		else \
			tar -C $(DIST) --sort=name --owner=0 --group=0 --numeric-owner --mtime="$$mtime" -czf $$dir.tar.gz $$name; \
		fi; \
		rm -rf $$dir; \
	done; \
	cd $(DIST) && sha256sum winreach-$(VERSION)-*.tar.gz winreach-$(VERSION)-*.zip > SHA256SUMS && cat SHA256SUMS

# All tests: lint, unit tests, then the lab (real daemons in network
# namespaces) when run as root. CI=true makes the lab mandatory.
# As root the lab's packages are installed first, so that the unit tests
# that compare with nmap, validate with xmllint, drive Chromium or load the
# zsh and fish completions run on a fresh machine too instead of skipping.
test: lint
	@if [ "$$(id -u)" -eq 0 ]; then bash $(LAB) install; fi
	@$(MAKE) --no-print-directory unit
	@if [ "$$(id -u)" -eq 0 ]; then \
		$(MAKE) --no-print-directory test-lab; \
	elif [ -n "$$CI" ]; then \
		echo "!!! CI: the lab tests need root and this is uid $$(id -u): FAILING" >&2; exit 1; \
	else \
		echo "!!! LAB TESTS SKIPPED: they need root (network namespaces, nftables, real daemons). Run 'sudo make test' or 'sudo make test-lab'." >&2; \
	fi

unit:
	$(GO) test -race -count=1 ./...

# gofmt, a tidy go.mod/go.sum, go vet, staticcheck: each fails the target.
lint:
	@out=$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go')); \
	if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	@$(GO) mod tidy -diff || { echo "go.mod/go.sum are not tidy: run 'go mod tidy' (the diff above is what it would change)" >&2; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags lab ./scanner/lab/...
	@test -x $(TOOLS)/staticcheck || GOBIN=$(TOOLS) GOFLAGS= $(GO) install honnef.co/go/tools/cmd/staticcheck@$(STATICCHECK_VERSION)
	$(TOOLS)/staticcheck ./...
	$(TOOLS)/staticcheck -tags lab ./scanner/lab/...

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
	$(GO) build -o bin/winreach-wanrelay ./cmd/winreach-wanrelay
	$(GO) test -tags lab -count=1 -v -timeout 20m ./scanner/lab/...

scan-localhost:
	$(GO) run ./cmd/winreach scan localhost
