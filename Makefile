# SOCMap: `make run` maps the sample data, `make test` runs the test suite.
# Both install the system libraries first when they are missing (Debian, as root).

APT_PACKAGES := libgdal-dev libproj-dev libopenblas-dev pkg-config gdal-bin python3-gdal
SWIFT ?= swift
PIPELINE ?= pipelines/sample.yaml

.PHONY: all deps build run test bench sample-data clean

all: build

# Install the apt packages only when one of them is missing.
deps:
	@missing=""; for p in $(APT_PACKAGES); do \
	  dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing:$$missing"; \
	  if [ "$$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing >/dev/null; \
	fi

build: deps
	$(SWIFT) build -c release

run: build
	$(SWIFT) run -c release --skip-build socmap run $(PIPELINE) --overwrite

test: deps
	$(SWIFT) build --build-tests
	$(SWIFT) test --skip-build

bench: build
	$(SWIFT) run -c release --skip-build socmap bench all

sample-data: build
	$(SWIFT) run -c release --skip-build socmap sample-data sample-data --seed 2025 --overwrite

clean:
	rm -rf .build
