# ngx_faas: build, run, test, bench
#
#   make            build build/ngx_faas_module.so against Debian's nginx
#   make functions  build conf/src (modern JS/TS/JSX) into conf/functions
#   make run        install what is missing, build, run conf/nginx.conf
#   make run-render the same with conf/render.conf (the render pool)
#   make run-hypernova  conf/hypernova.conf (faas_batch, Hypernova's /batch)
#                   and one batch posted by hypernova-client
#   make test       install what is missing, build, run the test suite
#                   (make compat first: t/compat built with tools/faas-build)
#   make test-sanitize
#                   the suite on an ASan + UBSan build of the module
#                   (test-asan: the same)
#   make fuzz       libFuzzer harnesses of the decoders of client bytes
#   make bench      benchmarks against the peers (bench/)
#   make bench-bff  the BFF workload (fetch) against njs and OpenResty
#   make soak       the render pool under load while things go wrong
#                   (bench/soak.sh, bench/SOAK.md)
#   make layers     check that no file calls up a layer (src/ngx_faas.h)
#   make install    the module, its load snippet and the examples in
#                   Debian's layout for nginx modules (DESTDIR honoured)
#   make deb        the libnginx-mod-faas package in build/deb (lintian)
#   make deploy-check  yamllint and a schema check of deploy/kubernetes
#   make promtool   Prometheus's promtool for t/023, from Debian's package
#                   (unpacked under build/, not installed, no service)

NGINX_SRC   ?= /usr/share/nginx/src
NGINX_BIN   ?= /usr/sbin/nginx
BUILD       ?= $(CURDIR)/build
NGX_BUILD    = $(BUILD)/nginx
MODULE       = $(BUILD)/ngx_faas_module.so
CC_OPT      ?= -g -O2 -fPIC -Wall -Werror
SHELL        = /bin/bash
SUDO        := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# what a fresh Debian 12 machine needs; `make deps` installs the missing
DEB_PKGS = gcc make patch perl nginx nginx-dev duktape-dev libjansson-dev \
           libbson-dev libpcre2-dev libssl-dev zlib1g-dev libwww-perl

SOURCES = config ngx_faas_module.c $(wildcard src/*.c src/*.h)
PATCHES = $(wildcard patches/*.patch)

# tools/faas-build and what it runs on: its own toolchain comes from npm
# (tools/package-lock.json) on first use
FAAS_BUILD  = tools/faas-build
BUILD_TOOLS = $(FAAS_BUILD) tools/faas-build.js tools/faas-polyfills.js \
              tools/package-lock.json

# the real-library compatibility suite (t/030, t/031): t/compat/src built
# into $(COMPAT) with the packages of t/compat/package-lock.json
COMPAT      = $(BUILD)/compat

# the real hypernova-client (t/071, make run-hypernova), pinned by
# t/hypernova/package-lock.json
HYPERNOVA_CLIENT = t/hypernova/node_modules/.package-lock.json

# promtool checks faas_status's Prometheus text (t/023): Debian's
# prometheus package is downloaded and unpacked here, never installed
PROMTOOL_DIR = $(BUILD)/prometheus
PROMTOOL     = $(PROMTOOL_DIR)/usr/bin/promtool

# the real Test::Nginx when installed, our own runner (t/lib) otherwise
PERL5LIB_TEST = $(shell perl -MTest::Nginx::Socket -e1 2>/dev/null \
                  || echo $(CURDIR)/t/lib)
TEST_ENV = TEST_NGINX_BINARY=$(NGINX_BIN) \
           TEST_NGINX_LOAD_MODULES=$(MODULE) \
           TEST_NGINX_COMPAT_DIR=$(COMPAT) \
           TEST_NGINX_PROMTOOL=$(PROMTOOL) \
           PERL5LIB=$(PERL5LIB_TEST)$(if $(PERL5LIB),:$(PERL5LIB))

.PHONY: all deps node-deps module functions compat promtool run run-render \
        hypernova-client hypernova-components run-hypernova \
        test test-sanitize test-asan bench bench-bff soak layers clean install deb \
        deb-deps deploy-check deploy-deps fuzz-deps fuzz fuzz-replay

all: module

# install the Debian packages of $(1) that are missing
define install_missing
	@missing=""; \
	for p in $(1); do \
	    dpkg-query -W -f='$${Status}' $$p 2>/dev/null \
	        | grep -q 'ok installed' || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
	    echo "installing:$$missing"; \
	    $(SUDO) apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q \
	        --no-install-recommends $$missing; \
	fi
endef

deps:
	$(call install_missing,$(DEB_PKGS))

# node and npm for tools/faas-build: Debian's packages when there are none
# (a machine may have them from elsewhere, such as NodeSource)
node-deps:
	@command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || { \
	    echo "installing: nodejs npm"; \
	    $(SUDO) apt-get update -q && \
	    DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -q \
	        --no-install-recommends nodejs npm; }

module: $(MODULE)

# configure a private copy of the nginx tree with the flags of the nginx
# we load into (Debian ships them in conf_flags), so the module is
# binary-compatible with /usr/sbin/nginx (--with-compat)
$(NGX_BUILD)/objs/Makefile: config $(PATCHES)
	rm -rf $(NGX_BUILD) && mkdir -p $(BUILD)
	cp -r $(NGINX_SRC) $(NGX_BUILD)
	cd $(NGX_BUILD) && \
	if [ -f conf_flags ]; then . ./conf_flags; fi && \
	./configure $${NGX_CONF_FLAGS:+"$${NGX_CONF_FLAGS[@]}"} --with-compat \
	    --with-cc-opt="$(CC_OPT)" --add-dynamic-module=$(CURDIR) \
	    > $(BUILD)/configure.log 2>&1 \
	    || { tail -20 $(BUILD)/configure.log; exit 1; }

$(MODULE): $(NGX_BUILD)/objs/Makefile $(SOURCES)
	$(MAKE) -C $(NGX_BUILD) -f objs/Makefile modules
	cp $(NGX_BUILD)/objs/ngx_faas_module.so $@.tmp && mv $@.tmp $@

# the quick start's functions: conf/src built by tools/faas-build
functions: conf/functions/.built

conf/functions/.built: $(shell find conf/src -type f 2>/dev/null) $(BUILD_TOOLS) | node-deps
	$(FAAS_BUILD) conf/src conf/functions
	touch $@

compat: $(COMPAT)/.built

$(COMPAT)/.built: $(shell find t/compat/src -type f 2>/dev/null) t/compat/package-lock.json \
                  $(BUILD_TOOLS) | node-deps
	cd t/compat && \
	if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then \
	    npm ci --no-audit --no-fund && touch node_modules/.package-lock.json; \
	fi
	$(FAAS_BUILD) t/compat/src $(COMPAT)
	touch $@

hypernova-client: $(HYPERNOVA_CLIENT)

$(HYPERNOVA_CLIENT): t/hypernova/package-lock.json | node-deps
	cd t/hypernova && npm ci --no-audit --no-fund \
	    && touch node_modules/.package-lock.json

# conf/hypernova.conf's components: conf/hypernova/src built by faas-build
hypernova-components: conf/hypernova/components/.built

conf/hypernova/components/.built: $(shell find conf/hypernova/src -type f -not -path '*/node_modules/*' 2>/dev/null) \
                                  $(BUILD_TOOLS) | node-deps
	$(FAAS_BUILD) conf/hypernova/src conf/hypernova/components
	touch $@

promtool: $(PROMTOOL)

$(PROMTOOL):
	rm -rf $(PROMTOOL_DIR) && mkdir -p $(PROMTOOL_DIR)/deb
	cd $(PROMTOOL_DIR)/deb && { apt-get download prometheus 2>/dev/null \
	    || { $(SUDO) apt-get update -q && apt-get download prometheus; }; }
	dpkg -x $(PROMTOOL_DIR)/deb/prometheus_*.deb $(PROMTOOL_DIR)
	rm -rf $(PROMTOOL_DIR)/deb
	touch $@

# conf/hypernova.conf as a daemon, then one batch from hypernova-client
# (conf/hypernova/client.js); stop it with
#   nginx -p conf/ -c hypernova.conf -s stop
run-hypernova: deps module hypernova-components hypernova-client
	mkdir -p conf/logs
	cd conf && $(NGINX_BIN) -p $(CURDIR)/conf/ -c hypernova.conf
	sleep 0.5
	NODE_PATH=$(CURDIR)/t/hypernova/node_modules \
	    node conf/hypernova/client.js http://127.0.0.1:8080/batch

run: deps module functions
	mkdir -p conf/logs
	$(NGINX_BIN) -p $(CURDIR)/conf/ -c nginx.conf

# the render pool topology of conf/render.conf, in the foreground
run-render: deps module functions
	mkdir -p conf/logs
	cd conf && $(NGINX_BIN) -p $(CURDIR)/conf/ -c render.conf

test: deps module compat promtool hypernova-client deploy-check
	$(TEST_ENV) prove -r t
	@$(MAKE) --no-print-directory fuzz-replay
	@$(MAKE) --no-print-directory -C bench check

# the module built with AddressSanitizer and UndefinedBehaviorSanitizer,
# run in Debian's nginx with ASan's runtime preloaded (nginx-dev ships
# headers, not nginx's sources, so nginx itself cannot be rebuilt); any
# report of either fails the run. t/ubsan.supp names what UBSan may not
# report, each with its reason.
SAN_BUILD    = $(BUILD)/sanitize
SAN_FLAGS    = -fsanitize=address,undefined
SAN_MODULE   = $(SAN_BUILD)/ngx_faas_module.so
SAN_NGINX    = $(SAN_BUILD)/nginx
SAN_REPORTS  = $(SAN_BUILD)/reports
UBSAN_OPTIONS_ALL = print_stacktrace=1:suppressions=$(CURDIR)/t/ubsan.supp

$(SAN_BUILD)/nginx-src/objs/Makefile: config $(PATCHES)
	rm -rf $(SAN_BUILD) && mkdir -p $(SAN_BUILD)
	cp -r $(NGINX_SRC) $(SAN_BUILD)/nginx-src
	cd $(SAN_BUILD)/nginx-src && \
	if [ -f conf_flags ]; then . ./conf_flags; fi && \
	./configure $${NGX_CONF_FLAGS:+"$${NGX_CONF_FLAGS[@]}"} --with-compat \
	    --with-cc-opt="-g -O1 -fPIC -fno-omit-frame-pointer $(SAN_FLAGS) -Wall -Werror" \
	    --with-ld-opt="$(SAN_FLAGS)" \
	    --add-dynamic-module=$(CURDIR) > $(BUILD)/sanitize-configure.log 2>&1 \
	    || { tail -20 $(BUILD)/sanitize-configure.log; exit 1; }

$(SAN_MODULE): $(SAN_BUILD)/nginx-src/objs/Makefile $(SOURCES)
	$(MAKE) -C $(SAN_BUILD)/nginx-src -f objs/Makefile modules
	cp $(SAN_BUILD)/nginx-src/objs/ngx_faas_module.so $@.tmp && mv $@.tmp $@
	printf '#!/bin/sh\nLD_PRELOAD=%s exec %s "$$@"\n' \
	    "$$($(CC) -print-file-name=libasan.so)" $(NGINX_BIN) > $(SAN_NGINX)
	chmod +x $(SAN_NGINX)

test-sanitize: deps $(SAN_MODULE) compat promtool hypernova-client
	rm -rf $(SAN_REPORTS) && mkdir -p $(SAN_REPORTS)
	ASAN_OPTIONS=detect_leaks=0:log_path=$(SAN_REPORTS)/asan \
	UBSAN_OPTIONS=$(UBSAN_OPTIONS_ALL):log_path=$(SAN_REPORTS)/ubsan \
	    $(TEST_ENV) TEST_NGINX_BINARY=$(SAN_NGINX) \
	    TEST_NGINX_LOAD_MODULES=$(SAN_MODULE) TEST_NGINX_SANITIZE=1 prove -r t
	@if ls $(SAN_REPORTS)/* >/dev/null 2>&1; then \
	    cat $(SAN_REPORTS)/*; echo "sanitizer reports"; \
	    exit 1; fi; echo "no AddressSanitizer or UBSan report"

test-asan: test-sanitize

# every file calls only files below it, in the order of src/ngx_faas.h
layers: module
	tools/faas-layers $(NGX_BUILD)/objs/addon

# libFuzzer harnesses (t/fuzz) against the module's own objects, built by
# clang with AddressSanitizer, UndefinedBehaviorSanitizer and coverage;
# t/fuzz/ngx_fuzz_stubs.c stands in for nginx, whose sources Debian does
# not ship. `make fuzz` runs each harness FUZZ_TIME seconds from its seed
# corpus (t/fuzz/corpus/NAME) and what earlier runs found
# (build/fuzz/corpus/NAME); a crash leaves build/fuzz/crash-NAME-*.
FUZZ_PKGS    = clang libclang-rt-14-dev
FUZZ_BUILD   = $(BUILD)/fuzz
FUZZ_NGX     = $(FUZZ_BUILD)/nginx-src
FUZZ_CC      = clang
FUZZ_SAN     = -fsanitize=address,undefined
FUZZ_COV     = -fsanitize-coverage-allowlist=$(CURDIR)/t/fuzz/coverage.txt \
               -fsanitize-coverage-ignorelist=$(CURDIR)/t/fuzz/coverage-ignore.txt
FUZZ_CFLAGS  = -g -O2 -fno-omit-frame-pointer $(FUZZ_SAN) $(FUZZ_COV)
FUZZ_TIME   ?= 30
# the heap of the functions lives across runs, so leak checks only mislead;
# the entropic schedule spent two thirds of each run on its bookkeeping
FUZZ_ARGS   ?= -max_len=65536 -timeout=10 -rss_limit_mb=2048 -detect_leaks=0 \
               -entropic=0
# no stack is kept of each allocation (12% of a run): a crash is replayed
# from its input with ASAN_OPTIONS unset for the whole report
FUZZ_ENV     = UBSAN_OPTIONS=halt_on_error=1:$(UBSAN_OPTIONS_ALL) \
               ASAN_OPTIONS=malloc_context_size=0
FUZZ_NAMES   = $(patsubst t/fuzz/fuzz_%.c,%,$(wildcard t/fuzz/fuzz_*.c))
FUZZ_BINS    = $(FUZZ_NAMES:%=$(FUZZ_BUILD)/fuzz_%)
FUZZ_COMMON  = t/fuzz/ngx_fuzz.c t/fuzz/ngx_fuzz_stubs.c
FUZZ_INCS    = $(addprefix -I$(FUZZ_NGX)/,src/core src/event src/event/modules \
                 src/os/unix src/http/v2 \
                 src/http src/http/modules objs objs/addon/ngx_faas_duktape) \
               -Isrc -It/fuzz -I/usr/include/libbson-1.0

fuzz-deps:
	@$(MAKE) --no-print-directory deps DEB_PKGS="$(DEB_PKGS) $(FUZZ_PKGS)"

$(FUZZ_NGX)/objs/Makefile: config $(PATCHES) t/fuzz/coverage.txt \
                           t/fuzz/coverage-ignore.txt
	rm -rf $(FUZZ_NGX) && mkdir -p $(FUZZ_BUILD)
	cp -r $(NGINX_SRC) $(FUZZ_NGX)
	cd $(FUZZ_NGX) && \
	if [ -f conf_flags ]; then . ./conf_flags; fi && \
	./configure $${NGX_CONF_FLAGS:+"$${NGX_CONF_FLAGS[@]}"} --with-compat \
	    --with-cc=$(FUZZ_CC) \
	    --with-cc-opt="$(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link" \
	    --with-ld-opt="$(FUZZ_SAN)" \
	    --add-dynamic-module=$(CURDIR) > $(FUZZ_BUILD)/configure.log 2>&1 \
	    || { tail -20 $(FUZZ_BUILD)/configure.log; exit 1; }

# the module's objects, as nginx's build compiles them
$(FUZZ_BUILD)/objects: $(FUZZ_NGX)/objs/Makefile $(SOURCES)
	$(MAKE) -C $(FUZZ_NGX) -f objs/Makefile modules
	find $(FUZZ_NGX)/objs/addon -name '*.o' > $@.tmp && mv $@.tmp $@

$(FUZZ_BUILD)/fuzz_%: t/fuzz/fuzz_%.c $(FUZZ_COMMON) t/fuzz/ngx_fuzz.h \
                      $(FUZZ_BUILD)/objects
	$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -Wall -Werror $(FUZZ_INCS) \
	    -o $@ $< $(FUZZ_COMMON) $$(cat $(FUZZ_BUILD)/objects) \
	    $$(sed -n '/-o objs\/ngx_faas_module.so/,/^$$/p' \
	        $(FUZZ_NGX)/objs/Makefile | grep -o -- '-l[^ ]*')

fuzz: fuzz-deps $(FUZZ_BINS)
	@for h in $(FUZZ_NAMES); do \
	    echo "fuzz_$$h: $(FUZZ_TIME) s"; \
	    mkdir -p $(FUZZ_BUILD)/corpus/$$h || exit 1; \
	    $(FUZZ_ENV) $(FUZZ_BUILD)/fuzz_$$h $(FUZZ_ARGS) \
	        -max_total_time=$(FUZZ_TIME) \
	        -artifact_prefix=$(FUZZ_BUILD)/crash-$$h- -print_final_stats=1 \
	        $(FUZZ_BUILD)/corpus/$$h t/fuzz/corpus/$$h 2>$(FUZZ_BUILD)/$$h.log \
	    || { tail -40 $(FUZZ_BUILD)/$$h.log; exit 1; }; \
	    grep -h 'stat::number_of_executed_units' $(FUZZ_BUILD)/$$h.log; \
	done

# every input of the seed corpus once: seconds, part of `make test`
fuzz-replay: fuzz-deps $(FUZZ_BINS)
	@for h in $(FUZZ_NAMES); do \
	    $(FUZZ_ENV) $(FUZZ_BUILD)/fuzz_$$h $(FUZZ_ARGS) t/fuzz/corpus/$$h/* \
	        > $(FUZZ_BUILD)/$$h-replay.log 2>&1 \
	    || { tail -40 $(FUZZ_BUILD)/$$h-replay.log; exit 1; }; \
	done; echo "fuzz corpus replayed: $(FUZZ_NAMES)"

# bench/README: bench.sh and targets.sh, 30-45 minutes (BENCH_QUICK=1
# or QUICK=1: short single runs, 10-15)
bench: deps module compat
	$(MAKE) -C bench NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) COMPAT=$(COMPAT)

# issue 13's BFF row (ngx_faas fetch, njs ngx.fetch, OpenResty
# capture_multi) and 1,000 calls waiting in one worker: bench/bff/bff.sh;
# then what a timer costs the worker: bench/bff/timers.sh
bench-bff: deps module
	$(MAKE) -C bench deps
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) bench/bff/bff.sh
	NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE) bench/bff/timers.sh

soak: deps module
	$(MAKE) -C bench soak NGINX_BIN=$(NGINX_BIN) MODULE=$(MODULE)

clean:
	rm -rf $(BUILD) t/servroot conf/logs conf/functions conf/hypernova/components

# Debian's layout for nginx modules (libnginx-mod-http-*): the .so in the
# modules directory, a load_module snippet in modules-available, enabled
# by a 50-*.conf link in modules-enabled (the package's postinst makes
# that link instead, so an administrator's removal of it is kept)
DESTDIR           ?=
MODULES_DIR       ?= /usr/lib/nginx/modules
MODULES_AVAILABLE ?= /usr/share/nginx/modules-available
MODULES_ENABLED   ?= /etc/nginx/modules-enabled
DOC_DIR           ?= /usr/share/doc/libnginx-mod-faas
SNIPPET            = mod-http-faas.conf
INSTALL_MODULE    ?= $(MODULE)
EXAMPLES           = conf/debian/faas-site.conf conf/debian/faas-render.conf \
                     conf/debian/faas-render-site.conf conf/canary.conf

install: $(INSTALL_MODULE)
	install -d $(DESTDIR)$(MODULES_DIR) $(DESTDIR)$(MODULES_AVAILABLE) \
	    $(DESTDIR)$(MODULES_ENABLED) $(DESTDIR)$(DOC_DIR)/examples/functions
	install -m 644 $(INSTALL_MODULE) $(DESTDIR)$(MODULES_DIR)/
	install -m 644 conf/debian/$(SNIPPET) $(DESTDIR)$(MODULES_AVAILABLE)/
	ln -sfn $(MODULES_AVAILABLE)/$(SNIPPET) \
	    $(DESTDIR)$(MODULES_ENABLED)/50-$(SNIPPET)
	install -m 644 README LICENSE $(DESTDIR)$(DOC_DIR)/
	install -m 644 $(EXAMPLES) $(DESTDIR)$(DOC_DIR)/examples/
	install -m 644 conf/debian/functions/*.js \
	    $(DESTDIR)$(DOC_DIR)/examples/functions/

# what dpkg-buildpackage needs beyond DEB_PKGS (debian/control's
# Build-Depends) and lintian to check the result
DEB_BUILD_PKGS = dpkg-dev debhelper fakeroot lintian
DEB_DIR        = $(BUILD)/deb

deb-deps:
	$(call install_missing,$(DEB_PKGS) $(DEB_BUILD_PKGS))

# built from a copy of the tracked files (build/deb/src), so the package
# is what a checkout builds and dpkg-buildpackage writes its results into
# build/deb, not beside the worktree
deb: deb-deps
	rm -rf $(DEB_DIR) && mkdir -p $(DEB_DIR)/src
	if git rev-parse --is-inside-work-tree >/dev/null 2>&1; then \
	    git ls-files -z | tar --null -T - -cf - | tar -xf - -C $(DEB_DIR)/src; \
	else \
	    tar --exclude=./build --exclude='./t/servroot*' -cf - . \
	        | tar -xf - -C $(DEB_DIR)/src; \
	fi
	cd $(DEB_DIR)/src && dpkg-buildpackage -us -uc -b
	cd $(DEB_DIR) && dpkg -I libnginx-mod-faas_*.deb \
	    && dpkg -c libnginx-mod-faas_*.deb \
	    && lintian --info --display-info libnginx-mod-faas_*.changes

# deploy/kubernetes: yamllint (Debian), then every manifest against the
# Kubernetes API schemas (npm's kubernetes-models, tools/k8s-check's
# lockfile) and against each other and nginx.conf
K8S_CHECK = tools/k8s-check

deploy-deps: node-deps
	$(call install_missing,yamllint)
	@cd $(K8S_CHECK) && \
	if [ ! node_modules/.package-lock.json -nt package-lock.json ]; then \
	    npm ci --no-audit --no-fund && touch node_modules/.package-lock.json; \
	fi

deploy-check: deploy-deps
	yamllint -s -c deploy/kubernetes/.yamllint deploy/kubernetes
	node $(K8S_CHECK)/check.js deploy/kubernetes
