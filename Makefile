# baton — one GNU Makefile for the program, its tests and its benchmarks.
#
#   make                 build ./baton
#   make check           build and run every test; last line "N passed, N failed"
#   make SANITIZE=1 ...  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo            install missing Debian packages, build, run `baton demo`
#   make bench           benchmarks, printed as ratios against same-run baselines
#   make install PREFIX=/usr/local DESTDIR=

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/baton
MANDIR  ?= $(PREFIX)/share/man

PKGS := gmime-3.0 sqlite3 libetpan libcurl json-glib-1.0

CC ?= cc
BUILD ?= build
ifeq ($(SANITIZE),1)
BUILD := build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Wno-error=deprecated-declarations
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude $(PKG_CFLAGS) \
              -DBATON_DATADIR='"$(DATADIR)"' -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)
LIBS := $(PKG_LIBS) -lm

LIB_SRC  := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/src/%.o) $(BUILD)/gen/embedded-templates.o
TEMPLATES := $(sort $(wildcard templates/*))
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all check demo bench install clean deps fuzz

all: baton

baton: $(BUILD)/baton
	@if [ "$(BUILD)" = build ]; then cp $< $@; fi

$(BUILD)/baton: $(BUILD)/src/main.o $(BUILD)/libbaton.a
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/libbaton.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/gen/embedded-templates.c: $(TEMPLATES) tools/embed-templates.pl
	@mkdir -p $(@D)
	$(Q)perl tools/embed-templates.pl $(TEMPLATES) > $@.tmp && mv $@.tmp $@

$(BUILD)/gen/%.o: $(BUILD)/gen/%.c
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

ifeq ($(V),1)
Q :=
else
Q := @
endif

$(BUILD)/src/%.o: src/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: tests/unit/%.c $(BUILD)/libbaton.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbaton.a $(LIBS)

$(BUILD)/tools/%: tests/tools/%.c $(BUILD)/libbaton.a
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(BUILD)/libbaton.a $(LIBS)

# Installs what the build and the test servers need (Debian), then runs
# every unit, corpus and whole-program test through tests/harness.pl.
check: deps
	$(MAKE) --no-print-directory $(BUILD)/baton $(UNIT_BIN) $(TOOL_BIN)
	BATON=$(CURDIR)/$(BUILD)/baton BATON_BUILD=$(CURDIR)/$(BUILD) \
	  perl tests/harness.pl $(UNIT_BIN) $(sort $(wildcard tests/shell/*.t)) $(TESTS_EXTRA)

deps:
	@sh contrib/install-deps.sh $(if $(CHECK_DEPS_ONLY),--build,--test)

demo:
	@sh contrib/install-deps.sh --build
	$(MAKE) --no-print-directory baton
	rm -rf demo
	./baton demo --dir demo

bench: deps
	$(MAKE) --no-print-directory BUILD=build build/baton build/bench/floor
	BATON=$(CURDIR)/build/baton FLOOR=$(CURDIR)/build/bench/floor bash bench/run.sh

# The GMime-only floor that `baton ingest --maildir` is measured against.
build/bench/floor: bench/floor.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(PKG_LIBS)

install: $(BUILD)/baton
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BUILD)/baton $(DESTDIR)$(BINDIR)/baton
	install -m 644 templates/* $(DESTDIR)$(DATADIR)/templates/
	for m in man/*.1; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/ || true; done
	for m in man/*.5; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/ || true; done

clean:
	rm -rf build build-san baton

-include $(LIB_OBJ:.o=.d) $(BUILD)/src/main.d
