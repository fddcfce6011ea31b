# SPDX-License-Identifier: MIT
# baton — one GNU Makefile for the program, its tests and its benchmarks.
#
#   make                 build ./baton
#   make check           build and run every test; last line "N passed, N failed"
#   make SANITIZE=1 ...  the same under AddressSanitizer + UndefinedBehaviorSanitizer
#   make demo            install missing Debian packages, build, run `baton demo`
#   make bench           benchmarks, printed as ratios against same-run baselines
#   make install PREFIX=/usr/local DESTDIR=
#   make format          apply .clang-format to every C file

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
DATADIR ?= $(PREFIX)/share/baton
PKGLIBDIR ?= $(PREFIX)/lib/baton
MANDIR  ?= $(PREFIX)/share/man

PKGS := gmime-3.0 sqlite3 libetpan libcurl json-glib-1.0

CC ?= cc
BUILD ?= build
ifeq ($(SANITIZE),1)
BUILD := build-san
SANFLAGS := -fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer
endif

# libical's headers only: src/team/calendar.c opens the library itself on
# the first calendar read (dlopen), by the soname it was built against.
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) libical 2>/dev/null)
ICAL_SONAME := $(or $(shell objdump -p "$$(pkg-config --variable=libdir libical 2>/dev/null)/libical.so" 2>/dev/null | awk '$$1 == "SONAME" { print $$2 }'),libical.so.3)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)
# The program itself links only these; libcurl and libetpan are in the
# network module, baton-net.so (include/baton/netmodule.h).
CORE_PKGS  := gmime-3.0 sqlite3 json-glib-1.0
CORE_LIBS  := $(shell pkg-config --libs $(CORE_PKGS) 2>/dev/null) -lm
# libetpan's pkg-config hands the linker a gcc-only -specs file meant for
# programs, not shared objects.
NET_LIBS   := $(filter-out -specs=%,$(shell pkg-config --libs libetpan libcurl gio-2.0 2>/dev/null))

WARN := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wstrict-prototypes \
        -Wmissing-prototypes -Wno-error=deprecated-declarations
CFLAGS ?= -O2 -g
ALL_CFLAGS := -std=gnu11 $(WARN) $(CFLAGS) $(SANFLAGS) -Iinclude $(PKG_CFLAGS) \
              -DBATON_DATADIR='"$(DATADIR)"' -DBATON_LIBDIR='"$(PKGLIBDIR)"' \
              -DBATON_ICAL_SONAME='"$(ICAL_SONAME)"' -MMD -MP
ALL_LDFLAGS := $(LDFLAGS) $(SANFLAGS)
LIBS := $(PKG_LIBS) -lm

# src/ is grouped by stage (docs/HACKING.md); src/program holds main().
LIB_SRC  := $(filter-out src/program/%,$(wildcard src/*.c src/*/*.c src/*/*/*.c))
GEN_OBJ  := $(BUILD)/gen/embedded-templates.o $(BUILD)/gen/template-fingerprint.o
LIB_OBJ  := $(LIB_SRC:src/%.c=$(BUILD)/src/%.o) $(GEN_OBJ)
# The network module: the transports, the table the program looks up, and
# the two small modules they use, compiled again as position-independent
# code with only that table visible.
NET_SRC  := $(filter %/imap.c %/smtp.c %/netmodule.c,$(LIB_SRC))
NET_PIC  := $(patsubst src/%.c,$(BUILD)/pic/%.o,$(NET_SRC) $(filter %/net.c %/error.c,$(LIB_SRC)))
CORE_OBJ := $(filter-out $(NET_SRC:src/%.c=$(BUILD)/src/%.o),$(LIB_OBJ))
PROGRAM_OBJ := $(BUILD)/src/program/main.o $(BUILD)/src/program/net-forward.o
TEMPLATES := $(sort $(filter-out templates/README.md,$(wildcard templates/*)))
UNIT_SRC := $(wildcard tests/unit/test-*.c)
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC := $(wildcard tests/tools/*.c)
TOOL_BIN := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)

.PHONY: all check check-year demo bench install clean deps fuzz format

all: baton

baton: $(BUILD)/baton $(BUILD)/baton-net.so
	@if [ "$(BUILD)" = build ]; then cp $(BUILD)/baton-net.so baton-net.so && cp $< $@; fi

$(BUILD)/baton: $(PROGRAM_OBJ) $(CORE_OBJ) | $(BUILD)/baton-net.so
	$(CC) $(ALL_LDFLAGS) -o $@ $^ $(CORE_LIBS)

# The program has the module's directory built in: rebuild the file that
# names it whenever PKGLIBDIR (or PREFIX) changes, so `make install
# PREFIX=/usr` after a plain `make` never installs a program that looks in
# /usr/local.
$(BUILD)/gen/pkglibdir: FORCE
	@mkdir -p $(@D)
	@echo '$(PKGLIBDIR)' | cmp -s - $@ || echo '$(PKGLIBDIR)' > $@

$(BUILD)/src/program/net-forward.o: $(BUILD)/gen/pkglibdir

.PHONY: FORCE
FORCE:

$(BUILD)/baton-net.so: $(NET_PIC)
	$(CC) $(ALL_LDFLAGS) -shared -Wl,-z,defs -o $@ $^ $(NET_LIBS)

$(BUILD)/pic/%.o: src/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $< (module)")
	$(Q)$(CC) $(ALL_CFLAGS) -fPIC -fvisibility=hidden -c -o $@ $<

$(BUILD)/libbaton.a: $(LIB_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BUILD)/gen/embedded-templates.c: $(TEMPLATES) tools/embed-templates.pl
	@mkdir -p $(@D)
	$(Q)perl tools/embed-templates.pl $(TEMPLATES) > $@.tmp && mv $@.tmp $@

# The fingerprint of the shipped mail text templates, computed at build
# time by baton's own ancestry code (include/baton/ancestry.h); a process
# computes it only when its templates directory replaces one of them.
FINGERPRINT_TOOL_OBJ := $(patsubst %,$(BUILD)/src/%.o,mail/ancestry mail/commands base/date \
                          base/error base/template-source) $(BUILD)/gen/embedded-templates.o
$(BUILD)/gen/fingerprint-templates: tools/fingerprint-templates.c $(FINGERPRINT_TOOL_OBJ)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/gen/template-fingerprint.c: $(BUILD)/gen/fingerprint-templates
	$(Q)ASAN_OPTIONS=detect_leaks=0 $< > $@.tmp && mv $@.tmp $@

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

# Test-only LD_PRELOAD shims that make the database fail on demand
# (tests/faults/*.c -> $(BUILD)/faults/*.so, used by tests/shell/faults.t).
# Never sanitized: under SANITIZE=1 the tests preload libasan ahead of them.
FAULT_SRC := $(wildcard tests/faults/*.c)
FAULT_LIB := $(FAULT_SRC:tests/faults/%.c=$(BUILD)/faults/%.so)

$(BUILD)/faults/%.so: tests/faults/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CCLD    $@")
	$(Q)$(CC) -std=gnu11 $(WARN) $(CFLAGS) -fPIC -shared $(PKG_CFLAGS) -o $@ $< -ldl

# Installs what the build and the test servers need (Debian), then runs
# every unit, corpus and whole-program test through tests/harness.pl.
check: deps
	$(MAKE) --no-print-directory $(BUILD)/baton $(UNIT_BIN) $(TOOL_BIN) $(FAULT_LIB)
	BATON=$(CURDIR)/$(BUILD)/baton BATON_BUILD=$(CURDIR)/$(BUILD) \
	  perl tests/harness.pl $(UNIT_BIN) $(sort $(wildcard tests/shell/*.t)) $(TESTS_EXTRA)

# The simulated year (tests/unit/test-year.c) at cron's real step, 15
# minutes, instead of the hourly one `make check` uses.
check-year:
	$(MAKE) --no-print-directory $(BUILD)/tests/test-year
	BATON_YEAR_FULL=1 $(BUILD)/tests/test-year

deps:
	@sh contrib/install-deps.sh $(if $(CHECK_DEPS_ONLY),--build,--test)

demo:
	@sh contrib/install-deps.sh --build
	$(MAKE) --no-print-directory baton
	rm -rf demo
	./baton demo --dir demo

bench:
	@sh contrib/install-deps.sh --bench
	$(MAKE) --no-print-directory BUILD=build build/baton build/bench/floor
	BATON=$(CURDIR)/build/baton FLOOR=$(CURDIR)/build/bench/floor bash bench/run.sh

# The GMime-only floor that `baton ingest --maildir` is measured against.
build/bench/floor: bench/floor.c
	@mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -o $@ $< $(PKG_LIBS)

# libFuzzer targets fuzz/fuzz-*.c, built with clang from their own objects of
# the library sources (build/fuzz/, never mixed with the gcc build), then run
# FUZZ_SECONDS each on seeds from the tests. A crash, leak or hang fails the
# target; its input is kept as build/fuzz/artifacts/TARGET-crash-*.
# ASan's quarantine is cut from 256 to 64 MB: with it the message target's
# RSS neared the 512 MB limit (476 MB) on a grown corpus; now about 260.
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 60
FUZZ_DIR     := build/fuzz
# clang flags GLib's `{ NULL }` option-table terminator; gcc does not.
FUZZ_FLAGS   := -O1 -g -fno-omit-frame-pointer -fno-sanitize-recover=undefined \
                -Wno-missing-field-initializers
FUZZ_CFLAGS  := -std=gnu11 $(WARN) $(FUZZ_FLAGS) -fsanitize=fuzzer-no-link,address,undefined \
                -Iinclude $(PKG_CFLAGS) -DBATON_DATADIR='"$(DATADIR)"' \
                -DBATON_ICAL_SONAME='"$(ICAL_SONAME)"' -MMD -MP
FUZZ_BIN     := $(patsubst fuzz/%.c,$(FUZZ_DIR)/%,$(wildcard fuzz/fuzz-*.c))
FUZZ_OBJ     := $(LIB_SRC:src/%.c=$(FUZZ_DIR)/src/%.o) $(GEN_OBJ:$(BUILD)/%=$(FUZZ_DIR)/%)
# libetpan's pkg-config hands the linker a gcc-only -specs file.
FUZZ_LIBS    := $(filter-out -specs=%,$(LIBS))
FUZZ_MAX_LEN ?= 65536
FUZZ_RUN     := -max_total_time=$(FUZZ_SECONDS) -timeout=1 -rss_limit_mb=512 -max_len=$(FUZZ_MAX_LEN) \
                -print_final_stats=1
FUZZ_SEEDS_fuzz-message  := $(FUZZ_DIR)/seeds/mail fuzz/regressions
FUZZ_SEEDS_fuzz-mustache := templates $(FUZZ_DIR)/seeds/mustache-spec
FUZZ_SEEDS_fuzz-auth     := fuzz/seeds/auth
FUZZ_SEEDS_fuzz-config   := fuzz/seeds/config
FUZZ_SEEDS_fuzz-imap     := fuzz/imap-seeds
FUZZ_SEEDS_fuzz-mbox      := tests/corpus/mime/messages fuzz/seeds/mbox
FUZZ_SEEDS_fuzz-subject   := fuzz/seeds/subject
FUZZ_SEEDS_fuzz-mailbuild := fuzz/seeds/mailbuild

$(FUZZ_DIR)/src/%.o: src/%.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  FUZZCC  $<")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/gen/%.o: $(BUILD)/gen/%.c
	@mkdir -p $(@D)
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -c -o $@ $<

$(FUZZ_DIR)/libbaton.a: $(FUZZ_OBJ)
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_DIR)/fuzz-%: fuzz/fuzz-%.c $(FUZZ_DIR)/libbaton.a
	@$(if $(Q),echo "  FUZZLD  $@")
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer -o $@ $< $(FUZZ_DIR)/libbaton.a $(FUZZ_LIBS)

# Every mail under tests/corpus (*.eml, *.msg; not its JSON and notes), as
# seeds for the message parser; flat, so names from different cases cannot
# clash.
$(FUZZ_DIR)/seeds/mail: $(shell find tests/corpus -name '*.eml' -o -name '*.msg' 2>/dev/null)
	@rm -rf $@ && mkdir -p $@
	$(Q)n=0; for f in $^; do n=$$((n + 1)); cp "$$f" $@/$$n.eml; done

# The spec's templates, one file each, as seeds for the Mustache parser.
$(FUZZ_DIR)/seeds/mustache-spec: $(wildcard tests/mustache-spec/*.json)
	@mkdir -p $@
	$(Q)python3 -c 'import json,sys,os; [open(os.path.join(sys.argv[1], "%s-%d-%s" % (os.path.basename(f)[:-5], i, k)), "w").write(v) for f in sys.argv[2:] for i, t in enumerate(json.load(open(f))["tests"]) for k, v in [("template", t["template"])] + sorted(t.get("partials", {}).items())]' $@ $^
	@touch $@

fuzz: $(FUZZ_BIN) $(FUZZ_DIR)/seeds/mail $(FUZZ_DIR)/seeds/mustache-spec
	@mkdir -p $(FUZZ_DIR)/artifacts
	$(Q)for t in $(notdir $(FUZZ_BIN)); do \
	  mkdir -p $(FUZZ_DIR)/corpus/$$t; \
	  case $$t in \
	    fuzz-message) seeds="$(FUZZ_SEEDS_fuzz-message)" ;; \
	    fuzz-mustache) seeds="$(FUZZ_SEEDS_fuzz-mustache)" ;; \
	    fuzz-ancestry) seeds="templates" ;; \
	    fuzz-text) seeds="$(FUZZ_SEEDS_fuzz-message)" ;; \
	    fuzz-auth) seeds="$(FUZZ_SEEDS_fuzz-auth)" ;; \
	    fuzz-config) seeds="$(FUZZ_SEEDS_fuzz-config)" ;; \
	    fuzz-imap) seeds="$(FUZZ_SEEDS_fuzz-imap)" ;; \
	    fuzz-mbox) seeds="$(FUZZ_SEEDS_fuzz-mbox)" ;; \
	    fuzz-subject) seeds="$(FUZZ_SEEDS_fuzz-subject)" ;; \
	    fuzz-mailbuild) seeds="$(FUZZ_SEEDS_fuzz-mailbuild)" ;; \
	    fuzz-calendar) seeds="fuzz/seeds/calendar" ;; \
	  esac; \
	  echo "fuzz: $$t for $(FUZZ_SECONDS) s on $(FUZZ_DIR)/corpus/$$t $$seeds"; \
	  ASAN_OPTIONS=quarantine_size_mb=64$${ASAN_OPTIONS:+:$$ASAN_OPTIONS} \
	  LSAN_OPTIONS=suppressions=$(CURDIR)/tests/lsan.supp:print_suppressions=0 \
	    $(FUZZ_DIR)/$$t $(FUZZ_RUN) -artifact_prefix=$(FUZZ_DIR)/artifacts/$$t- \
	    $(FUZZ_DIR)/corpus/$$t $$seeds > $(FUZZ_DIR)/$$t.log 2>&1 || \
	    { tail -60 $(FUZZ_DIR)/$$t.log; echo "fuzz: $$t FAILED (log: $(FUZZ_DIR)/$$t.log)"; exit 1; }; \
	  grep -E '^(#[0-9]+ +DONE|stat::number_of_executed_units|stat::peak_rss_mb)' $(FUZZ_DIR)/$$t.log; \
	done

# Not run in CI: every target for FUZZ_LONG_SECONDS each, on inputs up to
# 1 MB, to find slowness that grows with the input (a 1 s timeout still
# applies per input).
FUZZ_LONG_SECONDS ?= 3600
.PHONY: fuzz-long
fuzz-long:
	$(MAKE) --no-print-directory fuzz FUZZ_SECONDS=$(FUZZ_LONG_SECONDS) FUZZ_MAX_LEN=1048576

-include $(FUZZ_OBJ:.o=.d)
-include $(NET_PIC:.o=.d) $(PROGRAM_OBJ:.o=.d)

install: $(BUILD)/baton $(BUILD)/baton-net.so
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DATADIR)/templates \
	  $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man5
	install -m 755 $(BUILD)/baton $(DESTDIR)$(BINDIR)/baton
	install -d $(DESTDIR)$(PKGLIBDIR)
	install -m 644 $(BUILD)/baton-net.so $(DESTDIR)$(PKGLIBDIR)/baton-net.so
	install -m 644 templates/* $(DESTDIR)$(DATADIR)/templates/
	for m in man/*.1; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man1/ || true; done
	for m in man/*.5; do [ -f "$$m" ] && install -m 644 $$m $(DESTDIR)$(MANDIR)/man5/ || true; done

# Every C file in the repository, through the one .clang-format.
format:
	git ls-files '*.c' '*.h' | xargs clang-format -i

clean:
	rm -rf build build-san baton baton-net.so

-include $(LIB_OBJ:.o=.d)
