# libmig: `make` builds the extension, `make test` runs the Tcl tests
# (`make sweep` their fault sweeps in full),
# `make sanitize` runs them again with an ASan+UBSan build, `make demo`
# runs the walkthrough, `make bench` the benchmark, `make wheel` the
# Python package (dist/libmig-*.whl), `make test-python` its tests,
# `make npm` the Node package (dist/libmig-*.tgz), `make test-node` the
# Node tests, `make matrix` the tests on every SQLite version of
# tool/sqlite-matrix.sh, `make amalgamation` the one-file libmig.c (`make
# test-amalgamation` the suite against a library built from it alone),
# `make install` / `make uninstall` the library, the mig command and
# their man pages under PREFIX (default /usr/local; DESTDIR stages).

CC      ?= cc
CFLAGS  ?= -O2
WARN    := -Wall -Wextra
# Only sqlite3_mig_init is exported (ext/mig_main.c): the internal
# functions are no symbols of the library.
VIS     := -fvisibility=hidden
# C99 and POSIX.1-2008 only (ext/mig_int.h declares the feature macro).
STD     := -std=c99
UNAME_S := $(shell uname -s)
ifeq ($(UNAME_S),Darwin)
  SO := dylib
  SHARED := -dynamiclib -undefined dynamic_lookup
else
  SO := so
  SHARED := -shared
endif
TCLSH   ?= tclsh
# The Python that builds the wheel (it needs pip, setuptools and wheel:
# Debian's python3-pip, python3-setuptools, python3-wheel).  The wheel
# serves any Python 3, so the system one is the default where there is one.
PYTHON  ?= $(firstword $(wildcard /usr/bin/python3) python3)

SRC  := $(wildcard ext/*.c)
HDR  := $(wildcard ext/*.h)
LIB  := libmig.$(SO)
ASAN_LIB := test/libmig-asan.$(SO)
FAULT_LIB := test/faultvfs.$(SO)
INTR_LIB := test/interruptext.$(SO)

all: $(LIB)

$(LIB): $(SRC) $(HDR)
	$(CC) $(CFLAGS) $(STD) $(WARN) $(VIS) -fPIC $(SHARED) -o $@ $(SRC)

# The amalgamation: libmig.c, all of ext/ in one C file that needs
# nothing but sqlite3ext.h (tool/amalgamate.tcl says how it is made).
# Generated, not in git.  test-amalgamation runs the whole suite against
# a library built from it alone, with the plain command a user types
# (make test runs test/amalgamation.test, which checks the file, a part
# of the suite against such a build, and an application that compiles
# libmig.c in).
AMALG     := libmig.c
AMALG_LIB := build/amalgamation/$(LIB)

amalgamation: $(AMALG)

$(AMALG): $(SRC) $(HDR) tool/amalgamate.tcl
	$(TCLSH) tool/amalgamate.tcl ext $@
	@wc -lc $@

$(AMALG_LIB): $(AMALG)
	@mkdir -p $(dir $@)
	$(CC) -O2 -fPIC $(VIS) $(SHARED) $(AMALG) -o $@

test-amalgamation: $(AMALG_LIB) $(FAULT_LIB)
	MIG_LIB=$(CURDIR)/$(AMALG_LIB) $(TCLSH) test/all.tcl

# The instrumented build for the sanitizer run.
$(ASAN_LIB): $(SRC) $(HDR)
	$(CC) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	  -fno-sanitize-recover=undefined $(STD) $(WARN) $(VIS) -fPIC $(SHARED) -o $@ $(SRC)

# The test-only fault injector (I/O errors, failing allocations): see
# test/faultvfs.c.  It calls sqlite3_config, so it links libsqlite3.
$(FAULT_LIB): test/faultvfs.c
	$(CC) $(CFLAGS) $(WARN) -fPIC $(SHARED) -o $@ test/faultvfs.c -lsqlite3

# The test-only extension that interrupts from SQL, for the Node tests
# (better-sqlite3 has no progress handler): see test/interruptext.c.  It
# uses only the extension API table.
$(INTR_LIB): test/interruptext.c
	$(CC) $(CFLAGS) $(WARN) -fPIC $(SHARED) -o $@ test/interruptext.c

test: $(LIB) $(FAULT_LIB)
	MIG_LIB=$(CURDIR)/$(LIB) $(TCLSH) test/all.tcl

# The fault sweeps in full: test/interrupt.test at every tick of every
# mode, test/oom.test at about 1,500 allocations of each call and way
# (`make test` runs a spread of their points).  Long: see README.md.
sweep: $(LIB) $(FAULT_LIB)
	MIG_SWEEP=all MIG_TEST_TIMEOUT=$${MIG_TEST_TIMEOUT:-86400} \
	  MIG_LIB=$(CURDIR)/$(LIB) $(TCLSH) test/all.tcl interrupt oom

# The suite on other SQLite versions, built by tool/sqlite-matrix.sh from
# the amalgamations of npm packages into a cache outside the clone
# (~/.cache/libmig/sqlite, or $$MIG_SQLITE_CACHE; built once per version).
# `make matrix` runs every version (or those in V="3.31.1 3.37.2"),
# `make matrix-ci` every version without the files that do not depend
# on it (what CI runs), `make matrix-core` every version with the core
# test files only,
# `make test-sqlite V=3.37.2` one; T="rebuild diff" picks test files as
# test/all.tcl's arguments do.  Needs npm and Tcl's headers (tcl-dev).
V ?=
T ?=
matrix: $(LIB)
	MIG_LIB=$(CURDIR)/$(LIB) bash tool/sqlite-matrix.sh matrix $(V)

# The matrix without the test files whose outcome does not depend on the
# SQLite version (what CI runs by default), or with the core test files
# only (a short run); tool/sqlite-matrix.sh names both lists.
matrix-ci: $(LIB)
	MIG_LIB=$(CURDIR)/$(LIB) bash tool/sqlite-matrix.sh ci

matrix-core: $(LIB)
	MIG_LIB=$(CURDIR)/$(LIB) bash tool/sqlite-matrix.sh core

test-sqlite: $(LIB)
	@if [ -z "$(V)" ]; then \
	  echo "usage: make test-sqlite V=<version> [T=<test file words>]"; \
	  bash tool/sqlite-matrix.sh list; exit 2; fi
	MIG_LIB=$(CURDIR)/$(LIB) bash tool/sqlite-matrix.sh test $(V) $(T)

# Runs the whole suite with the ASan+UBSan build preloaded into tclsh.
# The library itself is preloaded too, so that it is still mapped when
# LeakSanitizer reports at exit (after sqlite3_close has unloaded it) and
# leak stacks name libmig's functions; fast_unwind_on_malloc=0 lets those
# stacks walk through libsqlite3, which has no frame pointers.
sanitize: $(ASAN_LIB) $(FAULT_LIB)
	LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $(CURDIR)/$(ASAN_LIB)" \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  MIG_LIB=$(CURDIR)/$(ASAN_LIB) $(TCLSH) test/all.tcl

# libFuzzer targets (tool/fuzz/): the CREATE parser, and diff + apply on
# schema pairs.  `make fuzz` runs each for FUZZ_SECONDS (default 60) from
# the seed corpus test/fuzz-corpus/<target>; the corpus it grows, its
# log and any crash go to test/tmp/fuzz/.  Needs clang with libFuzzer
# (Debian: clang libclang-rt-dev).
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
# Extra libFuzzer flags; CI passes a fixed -seed and -runs so that its
# short run is the same every time.
FUZZ_ARGS    ?=
FUZZ_DIR     := test/tmp/fuzz
FUZZ_FLAGS   := -g -O1 -fsanitize=fuzzer,address,undefined \
  -fno-sanitize-recover=undefined $(WARN) -Iext

$(FUZZ_DIR)/fuzz_%: tool/fuzz/fuzz_%.c $(SRC) $(HDR)
	@mkdir -p $(FUZZ_DIR)
	$(FUZZ_CC) $(FUZZ_FLAGS) -o $@ $< $(SRC) -lsqlite3

fuzz: $(FUZZ_DIR)/fuzz_parse $(FUZZ_DIR)/fuzz_diff
	@for t in parse diff; do \
	  mkdir -p $(FUZZ_DIR)/$$t; \
	  echo "fuzz_$$t: $(FUZZ_SECONDS) s"; \
	  if ! $(FUZZ_DIR)/fuzz_$$t $(FUZZ_DIR)/$$t test/fuzz-corpus/$$t \
	      -dict=tool/fuzz/sql.dict -max_total_time=$(FUZZ_SECONDS) \
	      -max_len=8192 -timeout=10 -print_final_stats=1 $(FUZZ_ARGS) \
	      -artifact_prefix=$(FUZZ_DIR)/$$t- >$(FUZZ_DIR)/$$t.log 2>&1; then \
	    tail -n 60 $(FUZZ_DIR)/$$t.log; \
	    echo "fuzz_$$t found a bug: see $(FUZZ_DIR)/$$t.log"; exit 1; \
	  fi; \
	  grep -E '^Done [0-9]+ runs' $(FUZZ_DIR)/$$t.log; \
	done

# The Python package (tool/python/): a copy of it with the library inside
# is staged in build/python, and pip builds the wheel from there into
# dist/, offline (--no-index) and without build isolation, so with the
# setuptools and wheel already installed.  The staging keeps setuptools'
# build/ and egg-info out of tool/python.  test/pkg_python.test sets both
# directories to its own scratch directory, so that test runs side by
# side do not share them.
WHEEL_STAGE := build/python
WHEEL_DIR   := dist
wheel: $(LIB)
	rm -rf $(WHEEL_STAGE) $(WHEEL_DIR)/libmig-*.whl
	mkdir -p $(WHEEL_STAGE) $(WHEEL_DIR)
	cp -R tool/python/. $(WHEEL_STAGE)/
	cp $(LIB) $(WHEEL_STAGE)/libmig/
	$(PYTHON) -m pip wheel --no-build-isolation --no-deps --no-index \
	  --disable-pip-version-check --quiet -w $(WHEEL_DIR) $(WHEEL_STAGE)
	@ls -l $(WHEEL_DIR)/libmig-*.whl

# The Python tests alone (make test runs them too): the smoke test and the
# package test (test/pkg_python.test), which builds the wheel itself.
test-python: $(LIB)
	MIG_LIB=$(CURDIR)/$(LIB) $(TCLSH) test/all.tcl python

demo: $(LIB)
	@sh tool/demo.sh $(CURDIR)/$(LIB)

# Speed and memory against the hand-written SQL (and Alembic where
# python3-alembic is installed); BENCH_SCALE=0.1 for a quick run, see
# tool/bench.tcl for the other settings.
bench: $(LIB)
	MIG_LIB=$(CURDIR)/$(LIB) $(TCLSH) tool/bench.tcl

# The Node package (tool/node/): staged in build/npm with the library
# under lib/<platform>-<arch>/, its version taken from ext/mig_int.h, and
# packed by npm into dist/libmig-<version>.tgz.
MIG_VERSION := $(shell sed -n 's/^\#define MIG_VERSION "\(.*\)"/\1/p' ext/mig_int.h)
NPM_STAGE   := build/npm
NPM_TGZ     := dist/libmig-$(MIG_VERSION).tgz

npm: $(NPM_TGZ)

$(NPM_TGZ): $(LIB) $(wildcard tool/node/*) ext/mig_int.h
	rm -rf $(NPM_STAGE)
	mkdir -p $(NPM_STAGE) dist
	cp tool/node/package.json tool/node/index.js tool/node/index.d.ts \
	  tool/node/README.md $(NPM_STAGE)/
	target=$$(node -p 'process.platform + "-" + process.arch') && \
	  mkdir -p $(NPM_STAGE)/lib/$$target && cp $(LIB) $(NPM_STAGE)/lib/$$target/
	cd $(NPM_STAGE) && npm pkg set version=$(MIG_VERSION) && \
	  npm pack --silent --pack-destination $(CURDIR)/dist >/dev/null
	@ls -l $@

# The Node tests (test/node/): better-sqlite3 12 (SQLite 3.53) and libsql,
# installed once into a cache outside the clone (see test/node/run.sh).
test-node: $(LIB) $(INTR_LIB)
	@MAKE="$(MAKE)" sh test/node/run.sh

# Installation: the library as PREFIX/lib/libmig.so, where the sqlite3
# shell's `.load libmig` finds it by name once the dynamic linker does
# (ldconfig, run here when root installs without DESTDIR on Linux, or
# LD_LIBRARY_PATH); the mig command as PREFIX/bin/mig, with the path of
# that library written into it (tool/mig's ::installed_lib); the manual
# pages mig(1) and libmig(3).  DESTDIR stages the whole tree for a
# package; the paths written into mig are those without it.
# test/install.test checks all of it.
PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
LIBDIR  ?= $(PREFIX)/lib
MANDIR  ?= $(PREFIX)/share/man
INSTALL ?= install
LDCONFIG ?= ldconfig

# After a root install without DESTDIR on Linux (LDCONFIG= skips it).
define mig_ldconfig
@if [ -n "$(LDCONFIG)" ] && [ -z "$(DESTDIR)" ] && [ "$(UNAME_S)" = Linux ] \
    && [ "$$(id -u)" = 0 ] && command -v "$(LDCONFIG)" >/dev/null 2>&1; then \
  echo "$(LDCONFIG)"; "$(LDCONFIG)"; fi
endef

install: $(LIB)
	$(INSTALL) -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(LIBDIR) \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man3
	$(INSTALL) -m 644 $(LIB) $(DESTDIR)$(LIBDIR)/$(LIB)
	sed 's|^set ::installed_lib {}$$|set ::installed_lib {$(LIBDIR)/$(LIB)}|' \
	  tool/mig > $(DESTDIR)$(BINDIR)/mig.tmp
	@grep -qxF 'set ::installed_lib {$(LIBDIR)/$(LIB)}' \
	  $(DESTDIR)$(BINDIR)/mig.tmp || { rm -f $(DESTDIR)$(BINDIR)/mig.tmp; \
	  echo "install: cannot write the library's path into mig" >&2; exit 1; }
	chmod 755 $(DESTDIR)$(BINDIR)/mig.tmp
	mv -f $(DESTDIR)$(BINDIR)/mig.tmp $(DESTDIR)$(BINDIR)/mig
	$(INSTALL) -m 644 tool/mig.1 $(DESTDIR)$(MANDIR)/man1/mig.1
	$(INSTALL) -m 644 tool/libmig.3 $(DESTDIR)$(MANDIR)/man3/libmig.3
	$(mig_ldconfig)

uninstall:
	rm -f $(DESTDIR)$(LIBDIR)/$(LIB) $(DESTDIR)$(BINDIR)/mig \
	  $(DESTDIR)$(MANDIR)/man1/mig.1 $(DESTDIR)$(MANDIR)/man3/libmig.3
	$(mig_ldconfig)

clean:
	rm -f $(LIB) $(ASAN_LIB) $(FAULT_LIB) $(INTR_LIB) test/faultvfs-*.$(SO) test/*.o $(AMALG)
	rm -rf test/tmp build dist

.PHONY: all test sweep sanitize demo clean fuzz bench wheel test-python npm \
  test-node matrix matrix-ci matrix-core test-sqlite amalgamation test-amalgamation install \
  uninstall
