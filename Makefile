# aioring - io_uring that runs everywhere.
#
#   make            libraries, CLI, bench, tests, examples and man pages
#   make lib        the libraries only (a compiler and make are enough)
#   make test       all of the above, then the test suite on both backends
#   make demo       `aioring probe`, then `aioring bench --quick`
#   make demo-copy  a file copied through the ring (examples/copy)
#   make bench      the benchmark tool; a peer whose library is missing is
#                   left out with a note
#   make bench-docs the full `aioring bench`, written to docs/BENCHMARKS.md
#   make stress-teardown  the long teardown stress: STRESS_SECONDS (600) on
#                   STRESS_BACKEND (user|kernel|both; user), under
#                   STRESS_WRAP if set (e.g. "valgrind -q --error-exitcode=9")
#   make man        the man pages, generated from the headers
#   make install    PREFIX=/usr/local DESTDIR=   (make uninstall undoes it)
#   make deb        the Debian packages (scripts/deb.sh)
#
# O=DIR builds out of tree (default build/); SAN=asan|tsan builds with
# sanitizers; WERROR=1 adds -Werror (CI sets it). CFLAGS=... replaces only
# the optimisation and debug flags: what the code needs is always added.

O          ?= build
PREFIX     ?= /usr/local
LIBDIR     ?= $(PREFIX)/lib
INCDIR     ?= $(PREFIX)/include
BINDIR     ?= $(PREFIX)/bin
MANDIR     ?= $(PREFIX)/share/man
LIBEXECDIR ?= $(PREFIX)/libexec
# The drop-in liburing lives apart, so that it never replaces the system's
# liburing by accident: only a program run with `aioring run`, or built
# against aioring's liburing.pc (which carries the rpath), finds it.
URINGDIR   ?= $(LIBDIR)/aioring
HDRDIR     ?= $(INCDIR)/aioring
VERSION    := 0.1.0
URING_VERSION := 2.15

CC      ?= cc
OBJCOPY ?= objcopy
CFLAGS  ?= -O2 -g
override CFLAGS   += -std=gnu11 -Wall -Wextra -Wno-unused-parameter -pthread
override CPPFLAGS += -Iinclude -Isrc -D_GNU_SOURCE -DAIORING_VERSION='"$(VERSION)"'
override LDLIBS   += -pthread
DEPFLAGS = -MMD -MP
ifeq ($(WERROR),1)
override CFLAGS  += -Werror
endif
ifeq ($(SAN),asan)
override CFLAGS  += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined
override LDFLAGS += -fsanitize=address,undefined
endif
ifeq ($(SAN),tsan)
override CFLAGS  += -fsanitize=thread -fno-omit-frame-pointer -Wno-tsan
override LDFLAGS += -fsanitize=thread
endif

# The library: every .c under src/ (at any depth) but the FFI unit.
FFI_SRC   := src/lib/ffi.c
LIB_SRC   := $(filter-out $(FFI_SRC),$(sort $(shell find src -name '*.c')))
LIB_OBJ   := $(LIB_SRC:%.c=$(O)/%.o)
CLI_SRC   := tools/aioring.c tools/cli_probe.c tools/cli_jail.c tools/cli_run.c \
	     tools/cli_names.c tools/cli_util.c
BENCH_SRC := $(filter-out $(CLI_SRC),$(wildcard tools/*.c))
TEST_SRC  := $(wildcard tests/*.c)
TEST_BIN  := $(patsubst tests/%.c,$(O)/tests/%,$(filter-out tests/testlib.c tests/dropin_%.c,$(TEST_SRC)))
EX_BIN    := $(patsubst examples/%.c,$(O)/examples/%,$(wildcard examples/*.c))
PUB_HDR   := include/liburing.h include/aioring.h
MAN_SRC   := $(PUB_HDR) scripts/mkman.awk src/aioring.map src/liburing-ffi.map
# The headers the fault tests are rebuilt for (they compile testlib.c
# themselves, so -MMD cannot track them).
HEADERS   := $(wildcard include/*.h include/liburing/*.h src/*/*.h tests/*.h)

SECCOMP_LIBS := $(shell pkg-config --libs libseccomp 2>/dev/null || echo -lseccomp)

# --- the bench's peers: each one is used when its library is here ---------
# (libuv1-dev, libaio-dev; liburing-dev for bench/liburing_nop and the
# drop-in test). Missing ones are left out of the build with a note, and
# `aioring bench` shows them as unavailable.
have_hdr = $(shell printf '\#include <%s>\n' '$(1)' | $(CC) -E -x c - >/dev/null 2>&1 && echo 1)
HAVE_LIBUV    := $(call have_hdr,uv.h)
HAVE_LIBAIO   := $(call have_hdr,libaio.h)
HAVE_LIBURING := $(call have_hdr,liburing.h)
BENCH_CFLAGS  := $(if $(HAVE_LIBUV),-DBENCH_HAVE_LIBUV $(shell pkg-config --cflags libuv 2>/dev/null))
BENCH_CFLAGS  += $(if $(HAVE_LIBAIO),-DBENCH_HAVE_LIBAIO)
BENCH_LIBS    := $(if $(HAVE_LIBUV),$(shell pkg-config --libs libuv 2>/dev/null || echo -luv)) \
		 $(if $(HAVE_LIBAIO),-laio) -lm
PEER_NOTE     := $(if $(HAVE_LIBUV),,libuv (libuv1-dev) )$(if $(HAVE_LIBAIO),,libaio (libaio-dev) )$(if $(HAVE_LIBURING),,liburing (liburing-dev) )
DEBIAN_BIN    := $(if $(HAVE_LIBURING),$(O)/tests/dropin_debian $(O)/bench/liburing_nop)

LIBS_SO := $(O)/libaioring.so.$(VERSION) $(O)/liburing.so.$(URING_VERSION) \
	   $(O)/liburing-ffi.so.$(URING_VERSION)
LIBS_A  := $(O)/libaioring.a $(O)/liburing.a $(O)/liburing-ffi.a

.PHONY: all lib bench man deps test test-liburing demo demo-copy bench-docs \
	install uninstall deb clean stress-teardown
all: lib $(O)/aioring bench $(TEST_BIN) $(EX_BIN) man

lib: $(LIBS_SO) $(LIBS_A)

$(O)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

# --- static libraries: one relocatable object, internals made local -------
# The objects are built with hidden visibility, so --localize-hidden leaves
# global only what a version script would export: no eng_*, route_* or
# other internal name can clash with (or be called by) the program.
$(O)/libaioring.o: $(LIB_OBJ)
	$(CC) -r -nostdlib -o $@.tmp $^
	$(OBJCOPY) --localize-hidden $@.tmp $@
	@rm -f $@.tmp

$(O)/libaioring.a $(O)/liburing.a: $(O)/libaioring.o
	@rm -f $@
	$(AR) rcs $@ $<

$(O)/liburing-ffi.o: $(LIB_OBJ) $(O)/$(FFI_SRC:.c=.o)
	$(CC) -r -nostdlib -o $@.tmp $^
	$(OBJCOPY) --localize-hidden $@.tmp $@
	@rm -f $@.tmp

$(O)/liburing-ffi.a: $(O)/liburing-ffi.o
	@rm -f $@
	$(AR) rcs $@ $<

# --- the fault-injection build (src/util/fault.h) ---------------------------
# The same sources with -DAIORING_FAULT, linked only into the tests named
# stress*, which make the engine's allocations, threads and system calls
# fail on demand. A plain archive: those tests may reach the fault hooks.
FAULT_OBJ   := $(LIB_SRC:%.c=$(O)/fault/%.o)
FAULT_TESTS := $(filter $(O)/tests/stress%,$(TEST_BIN))

$(O)/fault/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DAIORING_FAULT $(CFLAGS) $(DEPFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(O)/fault/libaioring.a: $(FAULT_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(FAULT_TESTS): $(O)/tests/%: tests/%.c tests/testlib.c tests/testlib.h $(O)/fault/libaioring.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -DAIORING_FAULT $(CFLAGS) $(LDFLAGS) -o $@ $< tests/testlib.c \
		$(O)/fault/libaioring.a $(SECCOMP_LIBS) $(LDLIBS)

# --- shared libraries: versioned real names, soname links -----------------
# One code base, three names: libaioring (aioring's own), the drop-in
# liburing, and liburing-ffi (the inline helpers as real symbols).
define shared_lib
$(O)/$(1).$(2): $(3) $(4)
	$$(CC) $$(CFLAGS) $$(LDFLAGS) -shared -Wl,-soname,$(1).$(firstword $(subst ., ,$(2))) \
		-Wl,--version-script=$(4) -o $$@ $(3) $$(LDLIBS)
	ln -sf $(1).$(2) $(O)/$(1).$(firstword $(subst ., ,$(2)))
	ln -sf $(1).$(firstword $(subst ., ,$(2))) $(O)/$(1)
endef
$(eval $(call shared_lib,libaioring.so,$(VERSION),$(LIB_OBJ),src/aioring.map))
$(eval $(call shared_lib,liburing.so,$(URING_VERSION),$(LIB_OBJ),src/aioring.map))
$(eval $(call shared_lib,liburing-ffi.so,$(URING_VERSION),$(LIB_OBJ) $(O)/$(FFI_SRC:.c=.o),src/liburing-ffi.map))

# --- the tools ---------------------------------------------------------------
# The installed `aioring` links only libc and libseccomp; `aioring bench`
# runs aioring-bench, which carries the peers.
$(O)/tools/%.o: tools/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(BENCH_CFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

$(O)/tools/cli_run.o: override CPPFLAGS += -DAIORING_URINGDIR='"$(URINGDIR)"'

$(O)/aioring: $(CLI_SRC:%.c=$(O)/%.o) $(O)/libaioring.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(SECCOMP_LIBS) $(LDLIBS)

$(O)/aioring-bench: $(BENCH_SRC:%.c=$(O)/%.o) $(O)/tools/cli_names.o \
		    $(O)/tools/cli_util.o $(O)/libaioring.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(BENCH_LIBS) $(LDLIBS)

bench: $(O)/aioring-bench $(DEBIAN_BIN)
ifneq ($(PEER_NOTE),)
	@echo "note: built without $(PEER_NOTE)- aioring bench shows them as unavailable; scripts/deps.sh installs them"
endif

# --- tests and examples ----------------------------------------------------
$(O)/tests/%: tests/%.c $(O)/tests/testlib.o $(O)/libaioring.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(O)/tests/testlib.o \
		$(O)/libaioring.a $(SECCOMP_LIBS) $(LDLIBS)

$(O)/tests/testlib.o: tests/testlib.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) -c -o $@ $<

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

# Tests that run the tools or the installed files.
$(O)/tests/bench_smoke $(O)/tests/cli: $(O)/aioring $(O)/aioring-bench
$(O)/tests/install: $(LIBS_SO) $(LIBS_A) $(O)/aioring $(O)/man/.stamp

$(O)/examples/%: examples/%.c $(O)/libaioring.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(DEPFLAGS) $(LDFLAGS) -o $@ $< $(O)/libaioring.a $(LDLIBS)

# --- man pages ---------------------------------------------------------------
# aioring(1) and aioring(7) are written by hand; every function page is
# generated from the structured comment above the function in the headers.
man: $(O)/man/.stamp

$(O)/man/.stamp: $(MAN_SRC) man/aioring.1 man/aioring.7
	@rm -rf $(O)/man && mkdir -p $(O)/man/man1 $(O)/man/man3 $(O)/man/man7
	awk -v out=$(O)/man/man3 -v version=$(VERSION) -f scripts/mkman.awk \
		src/aioring.map src/liburing-ffi.map $(PUB_HDR)
	sed 's/@VERSION@/$(VERSION)/' man/aioring.1 > $(O)/man/man1/aioring.1
	sed 's/@VERSION@/$(VERSION)/' man/aioring.7 > $(O)/man/man7/aioring.7
	@touch $@

# --- running ---------------------------------------------------------------

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
	@scripts/deps.sh build test bench

test: deps
	@$(MAKE) --no-print-directory all
	@O=$(O) tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	$(O)/aioring probe
	$(O)/aioring bench --quick

# liburing's own test suite (Debian's source package), on the kernel and
# on the engine in the three jail modes: scripts/liburing-suite.sh.
test-liburing: lib $(O)/aioring
	@O=$(O) scripts/liburing-suite.sh

# Regenerates docs/BENCHMARKS.md (and its chart) from a full `aioring bench`
# run on this machine; the notes at the end of the file are kept.
bench-docs: $(O)/aioring bench
	$(O)/aioring bench --targets --json $(O)/bench.json --svg docs/benchmarks.svg \
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

deb:
	scripts/deb.sh

# --- install ---------------------------------------------------------------
# Files land where Debian's liburing does not: the headers in
# $(INCDIR)/aioring, the drop-in and its liburing.pc in $(LIBDIR)/aioring,
# the io_uring_*(3) pages in section 3aioring. Nothing shadows the system.
PC_SED = -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' \
	 -e 's|@HDRDIR@|$(HDRDIR)|' -e 's|@URINGDIR@|$(URINGDIR)|' \
	 -e 's|@VERSION@|$(VERSION)|' -e 's|@URING_VERSION@|$(URING_VERSION)|'

install: lib $(O)/aioring $(O)/aioring-bench man
	install -d $(DESTDIR)$(HDRDIR)/liburing/io_uring $(DESTDIR)$(LIBDIR)/pkgconfig \
		$(DESTDIR)$(URINGDIR)/pkgconfig $(DESTDIR)$(BINDIR) \
		$(DESTDIR)$(LIBEXECDIR)/aioring $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man3 $(DESTDIR)$(MANDIR)/man7
	install -m 644 $(PUB_HDR) $(DESTDIR)$(HDRDIR)/
	install -m 644 include/liburing/*.h $(DESTDIR)$(HDRDIR)/liburing/
	install -m 644 include/liburing/io_uring/*.h $(DESTDIR)$(HDRDIR)/liburing/io_uring/
	install -m 644 $(O)/libaioring.a $(DESTDIR)$(LIBDIR)/
	install -m 644 $(O)/libaioring.so.$(VERSION) $(DESTDIR)$(LIBDIR)/
	ln -sf libaioring.so.$(VERSION) $(DESTDIR)$(LIBDIR)/libaioring.so.0
	ln -sf libaioring.so.0 $(DESTDIR)$(LIBDIR)/libaioring.so
	install -m 644 $(O)/liburing.a $(O)/liburing-ffi.a $(DESTDIR)$(URINGDIR)/
	install -m 644 $(O)/liburing.so.$(URING_VERSION) $(O)/liburing-ffi.so.$(URING_VERSION) \
		$(DESTDIR)$(URINGDIR)/
	for l in liburing liburing-ffi; do \
		ln -sf $$l.so.$(URING_VERSION) $(DESTDIR)$(URINGDIR)/$$l.so.2 && \
		ln -sf $$l.so.2 $(DESTDIR)$(URINGDIR)/$$l.so || exit 1; \
	done
	sed $(PC_SED) src/aioring.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/aioring.pc
	sed $(PC_SED) src/liburing.pc.in > $(DESTDIR)$(URINGDIR)/pkgconfig/liburing.pc
	sed $(PC_SED) src/liburing-ffi.pc.in > $(DESTDIR)$(URINGDIR)/pkgconfig/liburing-ffi.pc
	install -m 755 $(O)/aioring $(DESTDIR)$(BINDIR)/
	install -m 755 $(O)/aioring-bench $(DESTDIR)$(LIBEXECDIR)/aioring/
	if [ -x $(O)/bench/liburing_nop ]; then \
		install -m 755 $(O)/bench/liburing_nop $(DESTDIR)$(LIBEXECDIR)/aioring/; fi
	install -m 644 $(O)/man/man1/*.1 $(DESTDIR)$(MANDIR)/man1/
	install -m 644 $(O)/man/man3/* $(DESTDIR)$(MANDIR)/man3/
	install -m 644 $(O)/man/man7/*.7 $(DESTDIR)$(MANDIR)/man7/

# Removes exactly what install puts there (the man pages by the names this
# build generates), then the directories that are left empty.
uninstall:
	rm -f $(addprefix $(DESTDIR)$(HDRDIR)/,$(notdir $(PUB_HDR)))
	rm -rf $(DESTDIR)$(HDRDIR)/liburing
	rm -f $(DESTDIR)$(LIBDIR)/libaioring.a $(DESTDIR)$(LIBDIR)/libaioring.so*
	rm -f $(DESTDIR)$(LIBDIR)/pkgconfig/aioring.pc
	rm -f $(DESTDIR)$(URINGDIR)/liburing.a $(DESTDIR)$(URINGDIR)/liburing-ffi.a \
		$(DESTDIR)$(URINGDIR)/liburing.so* $(DESTDIR)$(URINGDIR)/liburing-ffi.so* \
		$(DESTDIR)$(URINGDIR)/pkgconfig/liburing.pc \
		$(DESTDIR)$(URINGDIR)/pkgconfig/liburing-ffi.pc
	rm -f $(DESTDIR)$(BINDIR)/aioring
	rm -f $(DESTDIR)$(LIBEXECDIR)/aioring/aioring-bench $(DESTDIR)$(LIBEXECDIR)/aioring/liburing_nop
	rm -f $(DESTDIR)$(MANDIR)/man1/aioring.1 $(DESTDIR)$(MANDIR)/man7/aioring.7
	rm -f $(DESTDIR)$(MANDIR)/man3/*.3aioring $(DESTDIR)$(MANDIR)/man3/aioring_*.3
	-rmdir $(DESTDIR)$(HDRDIR) $(DESTDIR)$(URINGDIR)/pkgconfig $(DESTDIR)$(URINGDIR) \
		$(DESTDIR)$(LIBEXECDIR)/aioring 2>/dev/null

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)
