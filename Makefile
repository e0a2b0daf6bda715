# exup: the two commands of the README (`make demo`, `make test`) and the rest.
# Every target installs the Debian packages it needs when they are missing.

SWIFT      ?= swift
# Build and test tools, and the libraries the C wrappers link against.
APT_BUILD  := libxml2-dev libssl-dev zlib1g-dev libcurl4-openssl-dev libfreeipmi-dev libipmimonitoring-dev libsqlite3-dev pkg-config
APT_TEST   := openssl zip unzip rpm dpkg coreutils python3-venv python3-yaml openipmi libopenipmi-dev freeipmi-tools gcc squid apache2-utils tar chromium chromium-driver iproute2 util-linux curl man-db postgresql nginx
APT_BENCH  := time wrk sqlite3 curl
APT_PACK   := dpkg-dev rpm binutils patchelf lintian rpmlint

.PHONY: deps build test demo bench fuzz packages test-packages format format-check openapi openapi-regenerated clean

deps:
	@scripts/install-deps.sh $(APT_BUILD) $(APT_TEST)
	@scripts/python-env.sh

build: deps
	$(SWIFT) build

## Runs every test: unit, attack, interop with the real tools, the built executables, and the API document
## against a live manager (schemathesis; after the format check). The suites that start managers run a
## second time with the managers on PostgreSQL (a throwaway cluster the tests start on loopback).
test: deps format-check
	$(SWIFT) build --build-tests
	$(SWIFT) test
	EXUP_TEST_DATABASE=postgresql $(SWIFT) test --skip-build --filter 'ManagerTests|ManagerServiceTests|AgentTests|RepositoryTests'
	scripts/api-contract.sh .build/debug

## A local demo of the package tool: build a signed package, verify it, show a tampered copy refused.
demo: deps
	$(SWIFT) build
	scripts/demo.sh .build/debug

## Release build and measured figures (no timing assertions anywhere in the tests).
bench: deps
	@scripts/install-deps.sh $(APT_BENCH)
	$(SWIFT) build -c release
	scripts/bench.sh .build/release

## dist/exup-{agent,manager}_VERSION_amd64.deb and .rpm: static Swift runtime, C libraries as dependencies.
packages: deps
	@scripts/install-deps.sh $(APT_PACK)
	$(SWIFT) build -c release --static-swift-stdlib --product exup-agent
	$(SWIFT) build -c release --static-swift-stdlib --product exup-manager
	$(SWIFT) build -c release --static-swift-stdlib --product exup
	BIN=.build/release scripts/packages.sh

## The install test: the .debs with apt in a debootstrap'ed Debian root (cached), lint, the .rpms with rpm --root.
test-packages: packages
	@scripts/install-deps.sh debootstrap systemd systemd-container util-linux procps curl
	$(SWIFT) build --product exup-manager
	$(SWIFT) build --product exup
	scripts/test-packages.sh

## libFuzzer on the parsers of untrusted input (package, XML, TOML, TUF, multipart, agent JSON): FUZZ_SECONDS (60) or FUZZ_RUNS each.
fuzz: deps
	scripts/fuzz.sh

## swift-format (the toolchain's) with .swift-format: `make format` rewrites, `make format-check` (part of `make test`) only checks.
format:
	$(SWIFT) format format --in-place --recursive Sources Tests Package.swift

format-check:
	$(SWIFT) format lint --strict --recursive Sources Tests Package.swift
	scripts/check-imports.py
	scripts/openapi-json.py --check
	scripts/openapi-swift.py --check

## openapi.yaml is the API's one document: this writes the JSON the manager serves, docs/api.md, and the
## Swift swift-openapi-generator makes of it (the first run builds the pinned generator, 3 to 6 minutes).
openapi:
	scripts/openapi-json.py
	scripts/openapi-swift.py

## CI: what the pinned generator makes of openapi.yaml now is byte for byte what is committed (the stamps
## of format-check show a stale file; this shows one edited by hand and re-stamped, or deleted).
openapi-regenerated: openapi
	@test -z "$$(git status --porcelain -- openapi.yaml docs/api.md Sources)" || \
	  { git status --short -- Sources docs/api.md; echo "the committed generated code is not what make openapi makes"; exit 1; }
	@echo "openapi: the committed generated code is what the pinned generator makes"

clean:
	rm -rf .build .build-* dist
