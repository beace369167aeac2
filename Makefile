# aioring - io_uring that runs everywhere.
#
#   make            libraries, CLI, tests, examples and benchmarks
#   make test       all of the above, then the test suite on both backends
#   make demo       the main job on a built-in default
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

.PHONY: all lib deps test demo install clean check-deps
all: lib $(O)/aioring $(TEST_BIN) $(EX_BIN) $(O)/tests/dropin_debian

lib: $(O)/libaioring.a $(O)/libaioring.so.0 $(O)/liburing.so.2

$(O)/%.o: %.c $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(O)/libaioring.a: $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

# One code base, two names: the same objects and the same version nodes.
$(O)/libaioring.so.0: $(LIB_OBJ) src/aioring.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,libaioring.so.0 \
		-Wl,--version-script=src/aioring.map -o $@ $(LIB_OBJ) $(LDLIBS)
	ln -sf libaioring.so.0 $(O)/libaioring.so

$(O)/liburing.so.2: $(LIB_OBJ) src/aioring.map
	$(CC) $(CFLAGS) $(LDFLAGS) -shared -Wl,-soname,liburing.so.2 \
		-Wl,--version-script=src/aioring.map -o $@ $(LIB_OBJ) $(LDLIBS)

$(O)/aioring: $(TOOL_SRC) $(O)/libaioring.a $(HEADERS)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $(TOOL_SRC) $(O)/libaioring.a $(SECCOMP_LIBS) $(LDLIBS)

$(O)/tests/%: tests/%.c tests/testlib.c tests/testlib.h $(O)/libaioring.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< tests/testlib.c $(O)/libaioring.a $(SECCOMP_LIBS) $(LDLIBS)

# Built against Debian's own liburing headers and library, never ours: the
# test runs it with LD_LIBRARY_PATH pointing at our drop-in liburing.so.2.
$(O)/tests/dropin_debian: tests/dropin_debian.c
	@mkdir -p $(dir $@)
	$(CC) -std=gnu11 -O2 -g -Wall -Wextra $(CFLAGS_DEBIAN) -o $@ $< -luring

$(O)/examples/%: examples/%.c $(O)/libaioring.a $(HEADERS)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(O)/libaioring.a $(LDLIBS)

deps:
	@scripts/deps.sh

test: deps
	@$(MAKE) --no-print-directory all
	@O=$(O) tests/run.sh

demo: deps
	@$(MAKE) --no-print-directory all
	$(O)/aioring probe
	$(O)/examples/copy

install: lib $(O)/aioring
	install -d $(DESTDIR)$(INCDIR)/liburing $(DESTDIR)$(LIBDIR)/pkgconfig $(DESTDIR)$(BINDIR)
	install -m 644 include/liburing.h include/aioring.h $(DESTDIR)$(INCDIR)/
	install -m 644 include/liburing/*.h $(DESTDIR)$(INCDIR)/liburing/
	install -m 644 $(O)/libaioring.a $(DESTDIR)$(LIBDIR)/
	install -m 755 $(O)/libaioring.so.0 $(O)/liburing.so.2 $(DESTDIR)$(LIBDIR)/
	ln -sf libaioring.so.0 $(DESTDIR)$(LIBDIR)/libaioring.so
	ln -sf liburing.so.2 $(DESTDIR)$(LIBDIR)/liburing.so
	install -m 755 $(O)/aioring $(DESTDIR)$(BINDIR)/
	for pc in aioring liburing; do \
		sed -e 's|@PREFIX@|$(PREFIX)|' -e 's|@LIBDIR@|$(LIBDIR)|' -e 's|@INCDIR@|$(INCDIR)|' \
		    -e 's|@VERSION@|$(VERSION)|' src/$$pc.pc.in > $(DESTDIR)$(LIBDIR)/pkgconfig/$$pc.pc; \
	done

clean:
	rm -rf $(O)
