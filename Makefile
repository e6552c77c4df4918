# SOCMap: `make run` maps the sample data, `make test` runs the test suite and the fuzzers.
# Both install the system libraries first when they are missing (Debian, as root).

APT_PACKAGES := libgdal-dev libproj-dev libopenblas-dev pkg-config gdal-bin python3-gdal
SWIFT ?= swift
PIPELINE ?= pipelines/sample.yaml
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := FuzzCSV FuzzHorizons FuzzPipeline

.PHONY: all deps test-deps build run test test-fast lint format fuzz fuzz-build bench bench-china sample-data clean

all: build

# The clients users open our outputs with, which the tests drive: QGIS (headless, Python) and a
# browser (Chromium, headless) for report.html; and Slurm with munge, for the one-node cluster on
# which the slurm/ job scripts are tested (slurm/test-cluster.sh). Under `make test` a missing client
# fails its test.
TEST_APT_PACKAGES := python3-qgis chromium slurm-wlm munge
# Peer implementations the tests compare with: R's gstat (variograms), without R's recommended
# packages (37 packages instead of about 600); scipy's nnls (the combined model's weights).
TEST_R_PACKAGES := r-base-core r-cran-gstat python3-scipy

# Installs the named apt packages (with apt-get flags $(2)), only when one of them is missing.
define apt_install
	@missing=""; for p in $(1); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $(2) $$missing >/dev/null; \
	fi
endef

deps:
	$(call apt_install,$(APT_PACKAGES))

test-deps:
	$(call apt_install,$(APT_PACKAGES) $(TEST_APT_PACKAGES))
	$(call apt_install,$(TEST_R_PACKAGES),--no-install-recommends)

build: deps
	$(SWIFT) build -c release

run: build
	$(SWIFT) run -c release --skip-build socmap run $(PIPELINE) --overwrite

# The suite runs optimised (numeric code is 10-100x slower in a debug build), with @testable
# imports, in its own build folder so that it and `make build` do not rebuild each other.
TEST_FLAGS := -c release --scratch-path .build/test -Xswiftc -enable-testing

test: test-deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	SOCMAP_REQUIRE_CLIENTS=1 $(SWIFT) test $(TEST_FLAGS) --skip-build
	$(MAKE) fuzz FUZZ_SECONDS=30

# The edit loop: the suite without the tests that drive external clients (QGIS, Chromium, Slurm, GDAL's
# COG validator) and without the slowest end-to-end identity tests (kill -9, parts, thread counts),
# which `make test` runs. Same optimised build as `make test`.
FAST_SKIP := SlurmClusterTests|ReportHTMLTests|QGISProjectTests|QGISStyleTests|COGTests|ApplicabilityMapTests|TrainingUnitsTests|RuntimeOptionsTests|BenchChinaTests|OutputFolderTests|PredictCommandTests|ExperimentEngineTests

test-fast: deps
	$(SWIFT) build $(TEST_FLAGS) --build-tests
	$(SWIFT) test $(TEST_FLAGS) --skip-build --skip '$(FAST_SKIP)'

# The toolchain's formatter with the committed .swift-format: `make format` rewrites, `make lint` checks.
FORMAT_PATHS := Package.swift Sources Tests Fuzz

lint:
	$(SWIFT) format lint --strict --recursive --parallel $(FORMAT_PATHS)

format:
	$(SWIFT) format --in-place --recursive --parallel $(FORMAT_PATHS)

# libFuzzer targets (Fuzz/README.md): declared in Package.swift only with SOCMAP_FUZZ=1, built with
# ASan and coverage in their own scratch folder, so `swift build` and `swift test` never see them.
fuzz-build: deps
	for t in $(FUZZ_TARGETS); do \
	  SOCMAP_FUZZ=1 $(SWIFT) build -c release --scratch-path .build/fuzz -Xswiftc -sanitize=fuzzer,address --product $$t || exit 1; \
	done

# Each target for FUZZ_SECONDS seconds, one at a time; fails with the failing input's path.
fuzz: fuzz-build
	Fuzz/fuzz.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)

bench: build
	$(SWIFT) run -c release --skip-build socmap bench all

# The whole pipeline on the China case at 1 km (generated once into .build/bench-china): JSON figures.
bench-china: build
	$(SWIFT) run -c release --skip-build socmap bench china

sample-data: build
	$(SWIFT) run -c release --skip-build socmap sample-data sample-data --seed 2025 --overwrite

clean:
	rm -rf .build
