# libmig: `make` builds the extension, `make test` runs the Tcl tests,
# `make sanitize` runs them again with an ASan+UBSan build, `make demo`
# runs the walkthrough, `make bench` the benchmark.

CC      ?= cc
CFLAGS  ?= -O2
WARN    := -Wall -Wextra
UNAME_S := $(shell uname -s)
ifeq ($(UNAME_S),Darwin)
  SO := dylib
  SHARED := -dynamiclib -undefined dynamic_lookup
else
  SO := so
  SHARED := -shared
endif
TCLSH   ?= tclsh

SRC  := $(wildcard ext/*.c)
HDR  := $(wildcard ext/*.h)
LIB  := libmig.$(SO)
ASAN_LIB := test/libmig-asan.$(SO)

all: $(LIB)

$(LIB): $(SRC) $(HDR)
	$(CC) $(CFLAGS) $(WARN) -fPIC $(SHARED) -o $@ $(SRC)

# The instrumented build for the sanitizer run.
$(ASAN_LIB): $(SRC) $(HDR)
	$(CC) -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined \
	  -fno-sanitize-recover=undefined $(WARN) -fPIC $(SHARED) -o $@ $(SRC)

test: $(LIB)
	MIG_LIB=$(CURDIR)/$(LIB) $(TCLSH) test/all.tcl

# Runs the whole suite with the ASan+UBSan build preloaded into tclsh.
# The library itself is preloaded too, so that it is still mapped when
# LeakSanitizer reports at exit (after sqlite3_close has unloaded it) and
# leak stacks name libmig's functions; fast_unwind_on_malloc=0 lets those
# stacks walk through libsqlite3, which has no frame pointers.
sanitize: $(ASAN_LIB)
	LD_PRELOAD="$$($(CC) -print-file-name=libasan.so) $(CURDIR)/$(ASAN_LIB)" \
	  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:fast_unwind_on_malloc=0 \
	  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
	  MIG_LIB=$(CURDIR)/$(ASAN_LIB) $(TCLSH) test/all.tcl

demo: $(LIB)
	@echo "make demo: the walkthrough is coming (see README.md)"

clean:
	rm -f $(LIB) $(ASAN_LIB) test/*.o
	rm -rf test/tmp

.PHONY: all test sanitize demo clean
