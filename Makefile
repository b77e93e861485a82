# SPDX-License-Identifier: Apache-2.0
# spoor — build, test and install.  Plain make with pkg-config.
#   make [all]            build libspoor and the commands into $(BUILD)
#   make check            install missing packages, build, lint, run the tests
#   make demo             install, build, build the reference scenario, run
#   make fuzz             build and run the fuzz targets (clang, libFuzzer;
#                         FUZZ_SECONDS per target, FUZZ_PLATEAU to stop one
#                         whose edges stopped growing, FUZZ_TARGETS)
#   make bench            run the benchmarks in bench/
#   make install          install into $(DESTDIR)$(PREFIX) (commands, man
#                         pages, rules, LICENSE in share/doc/spoor)
# Variables: PREFIX, DESTDIR, V=1 (show commands), DEVELOPER=1 (warnings are
# errors), SANITIZE=address,undefined (sanitizer build), BUILD (build dir),
# TESTS (test files to run), TEST_JOBS (test files run side by side).
# A ThreadSanitizer build goes in its own tree:
#   make SANITIZE=thread BUILD=build-tsan
# (tests/4250-scan-tsan.bats builds build-tsan/bin/spoor-scan this way).

VERSION   = 0.1.0
PREFIX   ?= /usr/local
BINDIR    = $(PREFIX)/bin
MANDIR    = $(PREFIX)/share/man
DOCDIR    = $(PREFIX)/share/doc/spoor
BUILD    ?= build
CC       ?= cc
PKG_CONFIG ?= pkg-config

PKGS      = tsk libewf yara sqlite3 ncursesw libcrypto zlib libsystemd

ifeq ($(V),1)
Q =
else
Q = @
endif

PKG_CFLAGS := $(shell $(PKG_CONFIG) --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell $(PKG_CONFIG) --libs $(PKGS) 2>/dev/null)

CFLAGS   ?= -O2 -g
HARDEN    = -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
RULESDIR  = $(PREFIX)/share/spoor/rules
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(HARDEN) $(CFLAGS) -Ilib/include -Ilib -Itools \
	-DSPOOR_VERSION='"$(VERSION)"' -DSPOOR_RULESDIR='"$(RULESDIR)"' \
	$(PKG_CFLAGS) -MMD -MP
ALL_LDFLAGS = -pie -Wl,-z,relro,-z,now $(LDFLAGS)
LIBS      = $(PKG_LIBS) -lpthread -lm

WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	-Wpointer-arith -Wformat=2 -Wno-format-nonliteral -Wno-format-truncation
ALL_CFLAGS += $(WARN)
ifeq ($(DEVELOPER),1)
ALL_CFLAGS += -Werror
endif
ifneq ($(SANITIZE),)
ALL_CFLAGS  += -fsanitize=$(SANITIZE) -fno-omit-frame-pointer \
	-fno-sanitize-recover=all -U_FORTIFY_SOURCE
ALL_LDFLAGS += -fsanitize=$(SANITIZE)
endif

# libspoor: one folder per layer (see ARCHITECTURE.md)
LIB_SRC  = $(wildcard lib/*/*.c)
LIB_OBJ  = $(LIB_SRC:%.c=$(BUILD)/%.o)
LIBSPOOR = $(BUILD)/libspoor.a

# A command is tools/spoor-VERB.c or the .c files of tools/spoor-VERB/;
# tools/common/ holds the plumbing every command links (it owns stderr).
TOOLS    = $(sort $(notdir $(basename $(wildcard tools/spoor*.c))) \
	$(notdir $(patsubst %/,%,$(dir $(wildcard tools/spoor*/*.c)))))
TOOL_BIN = $(TOOLS:%=$(BUILD)/bin/%)
COMMON_OBJ = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/common/*.c))
tool_objs = $(patsubst %.c,$(BUILD)/%.o,$(wildcard tools/$(1).c tools/$(1)/*.c))
TOOL_OBJ = $(foreach t,$(TOOLS),$(call tool_objs,$(t)))
MANPAGES = $(wildcard man/*.[157])

SCENARIO = $(BUILD)/scenario/web01.raw

.PHONY: all check test demo deps fuzz bench install uninstall clean static \
	lint-man scenario

all: $(TOOL_BIN)

# objects are kept between builds, not treated as intermediates
.SECONDARY: $(LIB_OBJ) $(TOOL_OBJ) $(COMMON_OBJ) \
	$(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%.o,$(wildcard tests/helpers/*.c))

deps:
	$(Q)scripts/install-deps

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBSPOOR): $(LIB_OBJ)
	@$(if $(Q),echo "  AR      $@")
	$(Q)rm -f $@ && ar rcs $@ $(LIB_OBJ)

define tool_rule
$(BUILD)/bin/$(1): $(call tool_objs,$(1)) $(COMMON_OBJ) $(LIBSPOOR)
	@mkdir -p $$(dir $$@)
	@$$(if $$(Q),echo "  LD      $$@")
	$$(Q)$$(CC) $$(ALL_CFLAGS) $$(ALL_LDFLAGS) -o $$@ $(call tool_objs,$(1)) \
		$$(COMMON_OBJ) $$(LIBSPOOR) $$(LIBS)
endef
$(foreach t,$(TOOLS),$(eval $(call tool_rule,$(t))))

# Test programs: tests/helpers/NAME.c is linked with libspoor into
# $(BUILD)/tests/NAME, for the tests that drive the library directly.
TEST_PROG = $(patsubst tests/helpers/%.c,$(BUILD)/tests/%,$(wildcard tests/helpers/*.c))
$(BUILD)/tests/%: $(BUILD)/tests/helpers/%.o $(LIBSPOOR)
	@mkdir -p $(dir $@)
	@$(if $(Q),echo "  LD      $@")
	$(Q)$(CC) $(ALL_CFLAGS) $(ALL_LDFLAGS) -o $@ $< $(LIBSPOOR) $(LIBS)

# The live collector as one statically linked executable: the library's
# objects built again with -DSPOOR_STATIC (no libtsk, libewf, libyara or
# ncurses behind --version) and a section per function, so that the link
# keeps only what the collector reaches: libc, libcrypto, zlib, SQLite.
STATIC_BUILD = $(BUILD)/static
STATIC_COLLECT = $(STATIC_BUILD)/spoor-collect
.PHONY: static
static: deps $(STATIC_COLLECT)
$(STATIC_COLLECT): $(LIB_SRC) $(wildcard tools/spoor-collect/*.c tools/common/*.c)
	$(Q)$(MAKE) --no-print-directory BUILD=$(STATIC_BUILD) SANITIZE= \
		CFLAGS="$(CFLAGS) -DSPOOR_STATIC -ffunction-sections -fdata-sections" \
		$(STATIC_BUILD)/libspoor.a \
		$(patsubst $(BUILD)/%,$(STATIC_BUILD)/%,$(call tool_objs,spoor-collect) $(COMMON_OBJ))
	@$(if $(Q),echo "  LD      $(STATIC_COLLECT) (static)")
	$(Q)rm -f $(STATIC_COLLECT)
	$(Q)$(CC) -static -Wl,--gc-sections -o $(STATIC_COLLECT) \
		$(patsubst $(BUILD)/%,$(STATIC_BUILD)/%,$(call tool_objs,spoor-collect) $(COMMON_OBJ)) \
		$(STATIC_BUILD)/libspoor.a -lsqlite3 -lcrypto -lz -lpthread -lm -ldl \
		2>&1 | { grep -v -e "statically linked applications requires" \
		-e ": in function" || true; }
	$(Q)test -x $(STATIC_COLLECT)

scenario: $(SCENARIO)
$(SCENARIO): tests/fixtures/mkscenario $(shell find tests/fixtures/scenario -type f)
	$(Q)rm -rf $(BUILD)/scenario.tmp
	$(Q)tests/fixtures/mkscenario $(BUILD)/scenario.tmp
	$(Q)rm -rf $(BUILD)/scenario && mv $(BUILD)/scenario.tmp $(BUILD)/scenario

# web01 without its audit log, and without its auth.log (raw disks only)
SCENARIO_VARIANTS = $(BUILD)/scenario-noaudit/web01.raw $(BUILD)/scenario-noauth/web01.raw
.PHONY: scenario-variants
scenario-variants: $(SCENARIO_VARIANTS)
$(BUILD)/scenario-no%/web01.raw: tests/fixtures/mkscenario $(shell find tests/fixtures/scenario -type f)
	$(Q)rm -rf $(BUILD)/scenario-no$*.tmp
	$(Q)tests/fixtures/mkscenario --without $* $(BUILD)/scenario-no$*.tmp
	$(Q)rm -rf $(BUILD)/scenario-no$* && mv $(BUILD)/scenario-no$*.tmp $(BUILD)/scenario-no$*

# web01 as it was before the intrusion: the known-good state of drift
SCENARIO_CLEAN = $(BUILD)/scenario-clean/web01.raw
$(SCENARIO_CLEAN): tests/fixtures/mkscenario $(shell find tests/fixtures/scenario -type f)
	$(Q)rm -rf $(BUILD)/scenario-clean.tmp
	$(Q)tests/fixtures/mkscenario --before 2026-03-14T10:40:00 $(BUILD)/scenario-clean.tmp
	$(Q)rm -rf $(BUILD)/scenario-clean && mv $(BUILD)/scenario-clean.tmp $(BUILD)/scenario-clean

# the other intrusion shapes: bastion02 (auditd) and shop01 (no audit log)
INTRUSIONS = $(BUILD)/intrusions/bastion02.raw
.PHONY: intrusions
intrusions: $(INTRUSIONS)
$(INTRUSIONS): tests/fixtures/mkintrusions $(shell find tests/fixtures/intrusions -type f)
	$(Q)rm -rf $(BUILD)/intrusions.tmp
	$(Q)tests/fixtures/mkintrusions $(BUILD)/intrusions.tmp
	$(Q)rm -rf $(BUILD)/intrusions && mv $(BUILD)/intrusions.tmp $(BUILD)/intrusions

lint-man:
	$(Q)scripts/lint-man $(MANPAGES)

test: all $(TEST_PROG) $(SCENARIO) $(SCENARIO_VARIANTS) $(SCENARIO_CLEAN) \
	$(INTRUSIONS) $(STATIC_COLLECT)
	$(Q)SPOOR_BUILD=$(abspath $(BUILD)) $(if $(TEST_JOBS),TEST_JOBS=$(TEST_JOBS) )scripts/run-tests \
		$(if $(TESTS),$(TESTS),tests)

check: deps
	$(Q)$(MAKE) --no-print-directory all
	$(Q)$(MAKE) --no-print-directory lint-man
	$(Q)$(MAKE) --no-print-directory test

demo: deps
	$(Q)$(MAKE) --no-print-directory all scenario $(SCENARIO_CLEAN)
	$(Q)SPOOR_BUILD=$(abspath $(BUILD)) scripts/demo

fuzz: deps
	$(Q)$(if $(FUZZ_PLATEAU),FUZZ_PLATEAU=$(FUZZ_PLATEAU) )scripts/fuzz \
		$(if $(FUZZ_SECONDS),$(FUZZ_SECONDS),30)

bench: deps all
	$(Q)for b in bench/*; do \
		case $$b in *-gen) continue ;; esac; \
		if [ -f "$$b" ] && [ -x "$$b" ]; then \
			SPOOR_BUILD=$(abspath $(BUILD)) "$$b" || exit 1; fi; done

install: all
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 \
		$(DESTDIR)$(MANDIR)/man5 $(DESTDIR)$(MANDIR)/man7 \
		$(DESTDIR)$(DOCDIR)
	install -m 755 $(TOOL_BIN) $(DESTDIR)$(BINDIR)
	install -m 644 LICENSE $(DESTDIR)$(DOCDIR)
	for m in $(MANPAGES); do \
		s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s; done
	for r in $$(cd rules && find . -name '*.yar' -o -name README.md); do \
		install -D -m 644 rules/$$r $(DESTDIR)$(RULESDIR)/$$r; done

uninstall:
	rm -f $(TOOLS:%=$(DESTDIR)$(BINDIR)/%)
	for m in $(MANPAGES); do \
		s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done
	rm -rf $(DESTDIR)$(RULESDIR)
	rm -f $(DESTDIR)$(DOCDIR)/LICENSE
	rmdir $(DESTDIR)$(DOCDIR) 2>/dev/null || true

clean:
	rm -rf $(BUILD) build-*

-include $(LIB_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(COMMON_OBJ:.o=.d) \
	$(patsubst tests/helpers/%.c,$(BUILD)/tests/helpers/%.d,$(wildcard tests/helpers/*.c))
