# pintui: `make run` builds and opens the console on the embedded local stack; `make test` runs
# every test. Both work on a fresh machine with Go 1.26.
GO          ?= go
BIN         := bin/pintui
STATICCHECK := honnef.co/go/tools/cmd/staticcheck@v0.8.2
VERSION     := $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS     := -X main.version=$(VERSION)

.PHONY: build run test lint bench screenshots clean

build:
	$(GO) build -ldflags "$(LDFLAGS)" -o $(BIN) ./cmd/pintui

run: build
	./$(BIN)

test: lint
	$(GO) test -race -count=1 -timeout 12m ./...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change:"; echo "$$out"; exit 1; fi
	$(GO) vet ./...
	$(GO) run $(STATICCHECK) ./...

bench: build
	./$(BIN) bench clean
	./$(BIN) bench ingest
	./$(BIN) bench sink
	./$(BIN) bench stream
	./$(BIN) bench landings
	$(GO) test -run '^$$' -bench . -benchtime 1x ./pipeline/...
	$(GO) test -run '^$$' -bench . -benchtime 200x ./ui/component/livetail

screenshots:
	screenshots/render.sh

clean:
	rm -rf bin
