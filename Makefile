# Makefile - builds every postern program into $(BUILD)/, runs the tests.
#
# Targets: all (default), deps, test, unit, integration, asan, fuzz, run,
# install, clean. Source lists are wildcards, so adding a file to util/,
# admin/ or a daemon folder needs no edit here.

BUILD    ?= build
CC       ?= cc
CFLAGS   ?= -O2 -g
SAN_FLAGS ?=
WARN      = -std=c11 -Wall -Wextra -Werror
CPPFLAGS += -D_GNU_SOURCE -Iutil -Iadmin -DDEF_CONFIG_DIR=\"$(PREFIX)/etc/postern\" \
            -DDEF_DAEMON_DIR=\"$(PREFIX)/libexec/postern\" -DDEF_COMMAND_DIR=\"$(PREFIX)/sbin\"
# Hardening: stack protector, fortified libc calls, full RELRO. BIND_NOW
# also spares every forked local delivery child the lazy symbol binding.
# Sanitizer builds leave out the libc fortification (ASan checks instead).
HARDEN_CFLAGS  = $(if $(SAN_FLAGS),,-fstack-protector-strong -D_FORTIFY_SOURCE=2)
HARDEN_LDFLAGS = -Wl,-z,relro -Wl,-z,now
ALLCFLAGS = $(WARN) $(CFLAGS) $(HARDEN_CFLAGS) $(SAN_FLAGS) -MMD -MP
LDLIBS    = -ldb -lcrypt -lssl -lcrypto -lseccomp
PREFIX   ?= /usr/local
DESTDIR  ?=
FUZZ_SECONDS ?= 30
PYTEST   ?= /usr/bin/python3 -m pytest

ifeq ($(origin CC),default)
CC = gcc
endif

# Shared library code: everything in util/.
UTIL_SRC := $(wildcard util/*.c)
LIB      := $(BUILD)/libpostern.a

# Admin commands: admin/*.c except the files that hold a main().
ADMIN_MAINS := admin/postern.c admin/sendmail.c admin/postdrop.c admin/pickup.c
ADMIN_SRC   := $(filter-out $(ADMIN_MAINS),$(wildcard admin/*.c))
ADMINLIB    := $(BUILD)/libadmin.a

# Daemons: folder D with D/D.c holding main(); the other files of D go in
# $(BUILD)/libD.a so unit tests can link them without main().
DAEMON_DIRS := $(foreach d,master smtpd cleanup qmgr smtp local proxymap showq,$(if $(wildcard $(d)/$(d).c),$(d)))
DAEMON_LIBS := $(foreach d,$(DAEMON_DIRS),$(BUILD)/lib$(d).a)
DAEMONS     := $(foreach d,$(DAEMON_DIRS),$(BUILD)/$(d))
ADMIN_PROGS := $(BUILD)/postern $(if $(wildcard admin/sendmail.c),$(BUILD)/postern-sendmail) \
               $(if $(wildcard admin/postdrop.c),$(BUILD)/postern-postdrop) \
               $(if $(wildcard admin/pickup.c),$(BUILD)/pickup)
TEST_HELPER_SRC := $(wildcard tests/helpers/*.c)
TEST_HELPERS    := $(TEST_HELPER_SRC:tests/helpers/%.c=$(BUILD)/tests/helpers/%)

UNIT_SRC  := $(wildcard tests/unit/*/test_*.c)
UNIT_BINS := $(foreach f,$(UNIT_SRC),$(BUILD)/tests/unit/$(notdir $(patsubst %/,%,$(dir $(f))))_$(basename $(notdir $(f))))

FUZZ_SRC  := $(wildcard tests/fuzz/*/fuzz_*.c)
FUZZ_NAMES := $(foreach f,$(FUZZ_SRC),$(notdir $(patsubst %/,%,$(dir $(f)))))

LINK_LIBS = $(HARDEN_LDFLAGS) -Wl,--start-group $(DAEMON_LIBS) $(ADMINLIB) $(LIB) -Wl,--end-group $(LDLIBS)

.PHONY: all deps test unit integration asan fuzz run bench install clean
.DEFAULT_GOAL := all

all: $(ADMIN_PROGS) $(DAEMONS) $(TEST_HELPERS)

deps:
	@./tools/install-deps

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -c $< -o $@

$(LIB): $(UTIL_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

$(ADMINLIB): $(ADMIN_SRC:%.c=$(BUILD)/obj/%.o)
	@mkdir -p $(dir $@)
	rm -f $@ && ar rcs $@ $^

define daemon_rules
$(BUILD)/lib$(1).a: $(patsubst %.c,$(BUILD)/obj/%.o,$(filter-out $(1)/$(1).c,$(wildcard $(1)/*.c)))
	@mkdir -p $$(dir $$@)
	rm -f $$@ && ar rcs $$@ $$^
$(BUILD)/$(1): $(BUILD)/obj/$(1)/$(1).o $(DAEMON_LIBS) $(ADMINLIB) $(LIB)
	$$(CC) $$(ALLCFLAGS) -o $$@ $$< $$(LINK_LIBS)
endef
$(foreach d,$(DAEMON_DIRS),$(eval $(call daemon_rules,$(d))))

$(BUILD)/postern: $(BUILD)/obj/admin/postern.o $(DAEMON_LIBS) $(ADMINLIB) $(LIB)
	$(CC) $(ALLCFLAGS) -o $@ $< $(LINK_LIBS)
$(BUILD)/postern-sendmail: $(BUILD)/obj/admin/sendmail.o $(DAEMON_LIBS) $(ADMINLIB) $(LIB)
	$(CC) $(ALLCFLAGS) -o $@ $< $(LINK_LIBS)
$(BUILD)/postern-postdrop: $(BUILD)/obj/admin/postdrop.o $(DAEMON_LIBS) $(ADMINLIB) $(LIB)
	$(CC) $(ALLCFLAGS) -o $@ $< $(LINK_LIBS)
$(BUILD)/pickup: $(BUILD)/obj/admin/pickup.o $(DAEMON_LIBS) $(ADMINLIB) $(LIB)
	$(CC) $(ALLCFLAGS) -o $@ $< $(LINK_LIBS)

$(BUILD)/tests/helpers/%: tests/helpers/%.c $(DAEMON_LIBS) $(ADMINLIB) $(LIB)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(ALLCFLAGS) -o $@ $< $(LINK_LIBS)

# Unit tests: tests/unit/DIR/test_X.c -> $(BUILD)/tests/unit/DIR_test_X
define unit_rule
$(BUILD)/tests/unit/$(notdir $(patsubst %/,%,$(dir $(1))))_$(basename $(notdir $(1))): $(1) $(DAEMON_LIBS) $(ADMINLIB) $(LIB)
	@mkdir -p $$(dir $$@)
	$$(CC) $$(CPPFLAGS) -Itests/unit $$(ALLCFLAGS) -o $$@ $(1) $$(LINK_LIBS) -lcriterion
endef
$(foreach f,$(UNIT_SRC),$(eval $(call unit_rule,$(f))))

unit: $(UNIT_BINS)
	@fail=0; for t in $(UNIT_BINS); do \
	    echo "== $$t"; \
	    TEST_SRCDIR=$(CURDIR) $$t --jobs 2 || fail=1; \
	done; test $$fail = 0

integration: all
	POSTERN_BUILD=$(abspath $(BUILD)) POSTERN_SRC=$(CURDIR) $(PYTEST) -q tests/integration

test: deps
	$(MAKE) all
	$(MAKE) unit
	$(MAKE) integration

asan: deps
	$(MAKE) BUILD=build-asan SAN_FLAGS="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined" \
	    ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 all unit integration

# Fuzz targets: tests/fuzz/NAME/fuzz_NAME.c with seeds in tests/fuzz/NAME/corpus/.
FUZZ_BUILD := build-fuzz
fuzz: deps
	$(MAKE) BUILD=$(FUZZ_BUILD) CC=clang SAN_FLAGS="-fsanitize=fuzzer-no-link,address,undefined" $(FUZZ_BUILD)/libpostern.a $(FUZZ_BUILD)/libadmin.a
	@set -e; for n in $(FUZZ_NAMES); do \
	    echo "== fuzz $$n ($(FUZZ_SECONDS)s)"; \
	    clang $(CPPFLAGS) -std=c11 -g -O1 -fsanitize=fuzzer,address,undefined -o $(FUZZ_BUILD)/fuzz_$$n tests/fuzz/$$n/fuzz_$$n.c \
	        -Wl,--start-group $(FUZZ_BUILD)/libadmin.a $(FUZZ_BUILD)/libpostern.a -Wl,--end-group $(LDLIBS); \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$n $(FUZZ_BUILD)/artifacts-$$n; \
	    $(FUZZ_BUILD)/fuzz_$$n -max_total_time=$(FUZZ_SECONDS) -print_final_stats=1 \
	        -artifact_prefix=$(FUZZ_BUILD)/artifacts-$$n/ $(FUZZ_BUILD)/corpus-$$n tests/fuzz/$$n/corpus; \
	done

run: deps all
	./tools/make-run $(BUILD)

# Throughput against a running-instance setup; --vs-postfix compares.
bench: deps all
	./tools/bench $(BUILD) $(BENCH_ARGS)

install: all
	./tools/install-postern "$(BUILD)" "$(DESTDIR)" "$(PREFIX)"

clean:
	rm -rf build build-asan build-fuzz run

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
