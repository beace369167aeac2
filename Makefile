# aioring - io_uring that runs everywhere.
#
#   make            libraries, CLI, tests, examples and benchmarks
#   make test       all of the above, then the test suite on both backends
#   make demo       `aioring probe`, then `aioring bench --quick`
#   make demo-copy  a file copied through the ring (examples/copy)
#   make bench-docs the full `aioring bench`, written to docs/BENCHMARKS.md
#   make stress-teardown  the long teardown stress: STRESS_SECONDS (600) on
#                   STRESS_BACKEND (user|kernel|both; user), under
#                   STRESS_WRAP if set (e.g. "valgrind -q --error-exitcode=9")
#   make install    PREFIX=/usr/local DESTDIR=
#
# O=DIR builds out of tree (default build/); SAN=asan|tsan builds with
# sanitizers; WERROR=1 adds -Werror (CI sets it).

O       ?= build
PREFIX  ?= /usr/local
LIBDIR  ?= $(PREFIX)/lib
INCDIR  ?= $(PREFIX)/include
BINDIR  ?= $(PREFIX)/bin
VERSION := 0.1.0

CC      ?= cc
CFLAGS  ?= -O2 -g
CFLAGS  += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -pthread
CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE -DAIORING_VERSION='"$(VERSION)"'
LDLIBS  += -pthread
ifeq ($(WERROR),1)
CFLAGS  += -Werror
endif
ifeq ($(SAN),asan)
CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(SAN),tsan)
CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan
LDFLAGS += -fsanitize=thread
endif

LIB_SRC   := $(wildcard src/util/*.c src/kernel/*.c src/engine/*.c src/lib/*.c)
LIB_OBJ   := $(LIB_SRC:%.c=$(O)/%.o)
TOOL_SRC  := $(wildcard tools/*.c)
TEST_SRC  := $(wildcard tests/*.c)
TEST_BIN  := $(patsubst tests/%.c,$(O)/tests/%,$(filter-out tests/testlib.c tests/dropin_%.c,$(TEST_SRC)))
EX_BIN    := $(patsubst examples/%.c,$(O)/examples/%,$(wildcard examples/*.c))
HEADERS   := $(wildcard include/*.h include/liburing/*.h src/*/*.h tools/*.h tests/*.h)

SECCOMP_LIBS := $(shell pkg-config --libs libseccomp 2>/dev/null || echo -lseccomp)
# The peers `aioring bench` compares with: libuv (libuv1-dev), libaio
# (libaio-dev, which ships no .pc file) and libm for the chart's log scale.
BENCH_CFLAGS := $(shell pkg-config --cflags libuv 2>/dev/null)
BENCH_LIBS   := $(shell pkg-config --libs libuv 2>/dev/null || echo -luv) \
		$(shell pkg-config --libs libaio 2>/dev/null || echo -laio) -lm
LIBEXECDIR ?= $(PREFIX)/libexec

.PHONY: all lib deps test demo demo-copy bench-docs install clean check-deps \
	stress-teardown
all: lib $(O)/aioring $(TEST_BIN) $(EX_BIN) $(O)/tests/dropin_debian \
	$(O)/bench/liburing_nop

lib: $(O)/libaioring.a $(O)/libaioring.so.0 $(O)/liburing.so.2

$(O)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(O)/libaioring.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# The fault-injection build (src/util/fault.h): the same sources with
# -DAIORING_FAULT, linked only into the tests in FAULT_TESTS, which make
# the engine's allocations, threads and system calls fail on demand.
FAULT_OBJ   := $(LIB_SRC:%.c=$(O)/fault/%.o)
FAULT_TESTS := $(filter $(O)/tests/stress%,$(TEST_BIN))

$(O)/fault/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DAIORING_FAULT $(CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(O)/fault/libaioring.a: $(FAULT_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FAULT_TESTS): $(O)/tests/%: tests/%.c tests/testlib.c tests/testlib.h $(O)/fault/libaioring.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DAIORING_FAULT $(CFLAGS) $(LDFLAGS) -o $@ $< tests/testlib.c \
		$(O)/fault/libaioring.a $(SECCOMP_LIBS) $(LDLIBS)

# One code base, two names: the same objects and the same version nodes.
$(O)/libaioring.so.0: $(LIB_OBJ) src/aioring.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libaioring.so.0 \
		-Wl,--version-script=src/aioring.map -o $@ $(LIB_OBJ) $(LDLIBS)
	ln -sf libaioring.so.0 $(O)/libaioring.so

$(O)/liburing.so.2: $(LIB_OBJ) src/aioring.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,liburing.so.2 \
		-Wl,--version-script=src/aioring.map -o $@ $(LIB_OBJ) $(LDLIBS)

$(O)/aioring: $(TOOL_SRC) $(O)/libaioring.a $(HEADERS)
	$(CC) $(CPPFLAGS) $(BENCH_CFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(TOOL_SRC) \
		$(O)/libaioring.a $(SECCOMP_LIBS) $(BENCH_LIBS) $(LDLIBS)

$(O)/tests/%: tests/%.c tests/testlib.c tests/testlib.h $(O)/libaioring.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/testlib.c $(O)/libaioring.a $(SECCOMP_LIBS) $(LDLIBS)

# Built against Debian's own liburing headers and library, never ours: the
# test runs it with LD_LIBRARY_PATH pointing at our drop-in liburing.so.2.
$(O)/tests/dropin_debian: tests/dropin_debian.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra $(CFLAGS_DEBIAN) -o $@ $< -luring

# The bench's real-liburing side: like dropin_debian, Debian's <liburing.h>
# and -luring only (the two libraries share symbol names), run as a child.
$(O)/bench/liburing_nop: bench/liburing_nop.c tools/bench_hist.h tools/bench_loop.h
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra $(if $(filter 1,$(WERROR)),-Werror) \
		$(CFLAGS_DEBIAN) -o $@ $< -luring

# The bench smoke test runs the tool.
$(O)/tests/bench_smoke: $(O)/aioring $(O)/bench/liburing_nop

$(O)/examples/%: examples/%.c $(O)/libaioring.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libaioring.a $(LDLIBS)

# The differential fuzzer (tests/fuzz/README): `make fuzz` runs it for
# FUZZ_SECONDS over FUZZ_PHASE (setup, register, sqe or all) and keeps
# every input that failed in tests/fuzz/corpus/.
FUZZ_SECONDS ?= 600
FUZZ_PHASE   ?= all
FUZZ_SRC := $(filter-out tests/fuzz/libfuzzer.c,$(wildcard tests/fuzz/*.c))
all: $(O)/tests/fuzz/fuzz
$(O)/tests/fuzz/fuzz: $(FUZZ_SRC) tests/fuzz/fuzz.h $(O)/libaioring.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(FUZZ_SRC) $(O)/libaioring.a $(LDLIBS)
.PHONY: fuzz fuzz-libfuzzer
fuzz: $(O)/tests/fuzz/fuzz
	$(O)/tests/fuzz/fuzz --seconds $(FUZZ_SECONDS) --phase $(FUZZ_PHASE) \
		--corpus tests/fuzz/corpus --save tests/fuzz/corpus $(FUZZ_ARGS)
# The coverage-guided, engine-only harness (clang's libFuzzer, ASan+UBSan),
# built out of tree in build-libfuzzer/; its corpus stays there.
LF_O := build-libfuzzer
fuzz-libfuzzer:
	@$(MAKE) --no-print-directory O=$(LF_O) SAN=asan \
		CC="clang -fsanitize=fuzzer-no-link" $(LF_O)/libaioring.a
	clang $(CPPFLAGS) -std=gnu11 -g -O1 -pthread -fsanitize=fuzzer,address,undefined \
		-o $(LF_O)/fuzz-libfuzzer $(FUZZ_SRC:tests/fuzz/main.c=tests/fuzz/libfuzzer.c) \
		$(LF_O)/libaioring.a -pthread
	@mkdir -p $(LF_O)/corpus
	$(LF_O)/fuzz-libfuzzer -max_total_time=$(FUZZ_SECONDS) -timeout=20 \
		-rss_limit_mb=4096 -artifact_prefix=$(CURDIR)/$(LF_O)/ $(LF_O)/corpus

deps:
	@scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory all
	@O=$(O) tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	$(O)/aioring probe
	$(O)/aioring bench --quick

# Regenerates docs/BENCHMARKS.md (and its chart) from a full `aioring bench`
# run on this machine; the notes at the end of the file are kept.
bench-docs: $(O)/aioring $(O)/bench/liburing_nop
	$(O)/aioring bench --json $(O)/bench.json --svg docs/benchmarks.svg \
		--markdown docs/BENCHMARKS.md

STRESS_SECONDS ?= 600
STRESS_BACKEND ?= user
stress-teardown: $(O)/tests/teardown_stress
	AIORING_TEARDOWN_SECONDS=$(STRESS_SECONDS) \
	AIORING_TEST_CASE_TIMEOUT=$$(($(STRESS_SECONDS) + 300)) \
	AIORING_TEST_BACKEND=$(STRESS_BACKEND) \
		$(STRESS_WRAP) $(O)/tests/teardown_stress

demo-copy: deps
	@$(MAKE) --no-print-directory all
	$(O)/examples/copy

install: lib $(O)/aioring $(O)/bench/liburing_nop
	install -d $(DESTDIR)$(INCDIR)/liburing $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR)
	install -m 644 include/liburing.h include/aioring.h $(DESTDIR)$(INCDIR)/
	install -m 644 include/liburing/*.h $(DESTDIR)$(INCDIR)/liburing/
	install -m 644 $(O)/libaioring.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(O)/libaioring.so.0 $(O)/liburing.so.2 $(DESTDIR)$(LIBDIR)/
	ln -sf libaioring.so.0 $(DESTDIR)$(LIBDIR)/libaioring.so
	ln -sf liburing.so.2 $(DESTDIR)$(LIBDIR)/liburing.so
	install -m 755 $(O)/aioring $(DESTDIR)$(BINDIR)/
	install -d $(DESTDIR)$(LIBEXECDIR)/aioring
	install -m 755 $(O)/bench/liburing_nop $(DESTDIR)$(LIBEXECDIR)/aioring/
	for pc in aioring liburing; do \
		sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
		    -e 's|@VERSION@|$(VERSION)|' src/$$pc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/$$pc.pc; \
	done

clean:
	rm -rf $(O)
