# kc - highlight clips from long streams, as a pipeline of small filters.
#
#   make            build every program into bin/
#   make check      install missing packages, build, run each fuzzer
#                   briefly, run all tests (plain and under ASan+UBSan);
#                   ends "N passed, M failed"
#   make fuzz       run each libFuzzer target for FUZZ_SECONDS (60)
#   make demo       install the missing packages the demo needs (no test
#                   tools), build, cut clips from a generated sample
#                   stream into demo/ and demo/kc.db
#   make bench      speed and memory figures (what each section measures:
#                   bench/run's header)
#   make bench-quality       how well kc finds events on generated calm and
#                   busy streams, against two baselines (bench/quality's
#                   header; SPLIT=tune for the tuning seeds)
#   make bench-quality-live  the same, and kc followed live on a local
#                   live imitation
#   make bench-learn how much kc learns a taste from 5, 10 and 20
#                   ratings, over many simulated tastes (bench/learn-eval's
#                   header; SPLIT=tune for the tuning seeds and tastes)
#   make install PREFIX=/usr/local   the programs, their data, the man
#                   pages and the bash completion (DESTDIR= for staging;
#                   NOBUILD=1 installs what bin/ holds without building)
#   make uninstall  the same PREFIX and DESTDIR: removes what install put
#   make man        docs/man/kc-records.5 again from docs/records.md
#                   (scripts/md2man)
#   make deps       install the missing Debian packages kc builds and runs
#                   with (sudo unless root; scripts/deps)
#   make deps-test  those and the test tools, and the browser test's npm
#                   packages (tests/web)

PREFIX   ?= /usr/local
DESTDIR  ?=
B        ?= build
BIN      ?= bin
CC       ?= cc
OPT      ?= -O2
CFLAGS   ?= $(OPT) -g
LDFLAGS  ?=
PKGS      = jansson sndfile kissfft-float libebur128 sqlite3 libcurl xgboost

WARN      = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes
ifeq ($(WERROR),1)
WARN     += -Werror
endif
ifeq ($(SAN),1)
SANFLAGS  = -fsanitize=address,undefined -fno-omit-frame-pointer \
            -fno-sanitize-recover=all
endif

KC_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(SANFLAGS) -iquote src/lib \
            $(shell pkg-config --cflags $(PKGS) libmicrohttpd libwebsockets)
KC_LIBS   = -Wl,--as-needed $(shell pkg-config --libs $(PKGS)) -lm -lpthread

PROGS    := $(notdir $(wildcard src/kc-*))
LIBS_kc-web = $(shell pkg-config --libs libmicrohttpd)
LIBS_kc-chatfeat = $(shell pkg-config --libs libwebsockets)
LIB_OBJ  := $(patsubst src/%.c,$(B)/%.o,$(wildcard src/lib/*.c))
UNIT_SRC := $(wildcard tests/unit/test_*.c)
UNITS    := $(patsubst tests/unit/%.c,$(B)/tests/%,$(UNIT_SRC))

all: $(addprefix $(BIN)/,$(PROGS))

$(B)/%.o: src/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(KC_CFLAGS) -MMD -MP -c -o $@ $<

# vfeat.c's block matching (sums of absolute differences over the small
# frames) is half of kc-videofeat's own time: the full vectoriser cost
# model makes SIMD sums of it at -O2, the same integers and so the same
# features (860 -> 450 ms of CPU for a 10-minute 160p stream), where the
# compiler takes the flag
VECT := $(shell $(CC) -Werror -fvect-cost-model=dynamic -c -x c /dev/null \
            -o /dev/null 2>/dev/null && echo -fvect-cost-model=dynamic)
$(B)/lib/vfeat.o: KC_CFLAGS += $(VECT)

# The version --version prints: `git describe` in a git checkout (also one
# owned by another user, as under sudo), else the first line of a VERSION
# file at the top, else "unknown"; `make KC_VERSION=...` overrides it.
# Only src/lib/version.c is compiled with it, and $(B)/version.txt is
# rewritten only when it changes, so a new version recompiles that one
# file and relinks.
KC_VERSION := $(shell { { [ -e .git ] && git -c safe.directory='*' \
    describe --tags --always --dirty 2>/dev/null; } || cat VERSION \
    2>/dev/null; } | head -n 1 | tr -cd 'A-Za-z0-9._+~-')
KC_VERSION := $(or $(KC_VERSION),unknown)
$(B)/version.txt: FORCE
	@mkdir -p $(@D)
	@echo '$(KC_VERSION)' | cmp -s - $@ || echo '$(KC_VERSION)' >$@
$(B)/lib/version.o: $(B)/version.txt
$(B)/lib/version.o: KC_CFLAGS += -DKC_VERSION='"$(KC_VERSION)"'
FORCE:
.PHONY: FORCE

$(B)/libkc.a: $(LIB_OBJ)
	rm -f $@
	ar rcs $@ $^

define prog_rule
$(BIN)/$(1): $(patsubst src/%.c,$(B)/%.o,$(wildcard src/$(1)/*.c)) $(B)/libkc.a
	@mkdir -p $(BIN)
	$$(CC) $$(CFLAGS) $$(SANFLAGS) $$(LDFLAGS) -o $$@ $$^ $$(KC_LIBS) $$(LIBS_$(1))
endef
$(foreach p,$(PROGS),$(eval $(call prog_rule,$(p))))

$(B)/tests/%.o: tests/unit/%.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) $(KC_CFLAGS) -MMD -MP -c -o $@ $<

$(B)/tests/%: $(B)/tests/%.o $(B)/libkc.a
	$(CC) $(CFLAGS) $(SANFLAGS) $(LDFLAGS) -o $@ $^ $(KC_LIBS) -lcmocka

units: $(UNITS)

# Fuzzing (clang's libFuzzer): tests/fuzz/fuzz_NAME.c exercises
# src/lib/NAME.c, plus the library files FUZZ_LIBS_NAME lists (names
# without .c) when it needs more; every fuzzer is built with ASan and
# UBSan.  `make fuzz` runs each for FUZZ_SECONDS from its corpus in
# tests/fuzz/corpus/NAME/ (what it finds stays in build-fuzz/corpus-NAME,
# a crashing input in build-fuzz/crash-*) and stops at the first crash;
# `make fuzz-smoke` does the same for FUZZ_SMOKE_SECONDS each (CI, via
# `make check`).  The corpora are replayed by the unit tests too.
FUZZ_SECONDS ?= 60
FUZZ_SMOKE_SECONDS ?= 20
FUZZ_CC  ?= clang
FUZZ_FLAGS = -g -O1 -fsanitize=fuzzer,address,undefined \
             -fno-sanitize-recover=all -std=c11 -D_GNU_SOURCE $(WARN) \
             -iquote src/lib
FUZZ_LIBS_rec = out msg
FUZZ_LIBS_hls = hlsparse hlspick hlslive hlswrite hash
FUZZ_LIBS_kickchat = hls
FUZZ_LIBS_kick = hls
FUZZERS := $(patsubst tests/fuzz/fuzz_%.c,build-fuzz/fuzz_%,$(wildcard tests/fuzz/fuzz_*.c))

.SECONDEXPANSION:
build-fuzz/fuzz_%: tests/fuzz/fuzz_%.c src/lib/%.c \
    $$(addprefix src/lib/,$$(addsuffix .c,$$(FUZZ_LIBS_$$*))) $$(wildcard src/lib/*.h)
	@mkdir -p $(@D)
	$(FUZZ_CC) $(FUZZ_FLAGS) $(shell pkg-config --cflags $(PKGS)) -o $@ \
	    $(filter %.c,$^) $(shell pkg-config --libs $(PKGS)) -lm

# FUZZ_RUN SECONDS: each fuzzer from its corpus; exit 1 at a crash
FUZZ_RUN = for f in $(FUZZERS); do n=$${f\#\#*/fuzz_}; \
	    mkdir -p build-fuzz/corpus-$$n; \
	    echo "fuzz: $$n for $(1) s"; \
	    $$f -max_total_time=$(1) -artifact_prefix=build-fuzz/ \
	        -print_final_stats=1 build-fuzz/corpus-$$n \
	        tests/fuzz/corpus/$$n 2>build-fuzz/$$n.log || \
	    { tail -n 40 build-fuzz/$$n.log; echo "fuzz: $$n: crashed \
	        (input in build-fuzz/, log in build-fuzz/$$n.log)"; exit 1; }; \
	    grep -E '^stat::(number_of_executed_units|new_units_added)' \
	        build-fuzz/$$n.log | tr '\n' ' '; echo; done

fuzz: $(FUZZERS)
	@$(call FUZZ_RUN,$(FUZZ_SECONDS))

fuzz-smoke: $(FUZZERS)
	@$(call FUZZ_RUN,$(FUZZ_SMOKE_SECONDS))

# Whether clang can build a fuzzer here (clang and libclang-rt-*-dev).
FUZZ_CAN = $(shell printf 'int LLVMFuzzerTestOneInput(const char *d, \
	unsigned long n) { (void)d; (void)n; return 0; }\n' | \
	$(FUZZ_CC) -x c -fsanitize=fuzzer -o /dev/null - >/dev/null 2>&1 && \
	echo yes)

deps:
	scripts/deps

deps-test:
	scripts/deps --test
.PHONY: deps-test

# The sanitizer build lives beside the plain one and never replaces it.
san:
	$(MAKE) SAN=1 B=build-san BIN=build-san/bin all units

test: all units
	tests/run --config plain:$(BIN):$(B)

check: deps-test
	$(MAKE) WERROR=1 all units
	$(MAKE) WERROR=1 san
	@if [ "$(FUZZ_CAN)" = yes ]; then $(MAKE) WERROR=1 fuzz-smoke; else \
	    echo "check: $(FUZZ_CC) cannot build fuzzers (no clang or" \
	        "libclang-rt-dev): fuzzers not run"; \
	    [ "$$CI" != true ] || { echo "check: CI=true: CI must run them"; \
	        exit 1; }; fi
	tests/run --config plain:$(BIN):$(B) --config asan:build-san/bin:build-san

demo: deps all
	scripts/demo

bench: all
	bench/run

SPLIT ?= heldout
bench-quality: all
	bench/quality --split $(SPLIT)

bench-quality-live: all
	bench/quality --split $(SPLIT) --live

bench-learn: all
	bench/learn-eval --split $(SPLIT)

# What install puts under $(DESTDIR)$(PREFIX), and so what uninstall
# removes, from the same lists: the programs in bin/ and scripts/kc-batch
# (kc-batch(1), a script: GNU parallel over SSH); their data in
# share/kc/ (weights, jq scripts, batch.mk) and share/kc/web/ (kc-web's
# page); each man page in share/man/manN/ by its suffix (kc-records.5 is
# docs/records.md, generated by `make man` and committed); the bash
# completion once per program name in share/bash-completion/completions/.
# uninstall leaves the folders, but for share/kc/ and share/kc/web/ when
# they are empty.
I_BIN    = $(DESTDIR)$(PREFIX)/bin
I_SHARE  = $(DESTDIR)$(PREFIX)/share/kc
I_MAN    = $(DESTDIR)$(PREFIX)/share/man
I_COMP   = $(DESTDIR)$(PREFIX)/share/bash-completion/completions
INST_DATA = $(wildcard data/*) $(wildcard scripts/*.jq) $(wildcard scripts/*.mk)
INST_WEB  = $(wildcard web/*)
INST_MAN  = $(wildcard docs/man/*.[1-9])

install: $(if $(filter 1,$(NOBUILD)),,all)
	install -d $(I_BIN) $(I_SHARE) $(I_SHARE)/web $(I_COMP) \
	    $(addprefix $(I_MAN)/man,$(sort $(subst .,,$(suffix $(INST_MAN)))))
	install -m 755 $(addprefix $(BIN)/,$(PROGS)) scripts/kc-batch $(I_BIN)
	install -m 644 $(INST_DATA) $(I_SHARE)
	install -m 644 $(INST_WEB) $(I_SHARE)/web
	for f in $(INST_MAN); do \
	    install -m 644 "$$f" "$(I_MAN)/man$${f##*.}" || exit 1; done
	for p in $(PROGS); do install -m 644 scripts/kc.bash-completion \
	    "$(I_COMP)/$$p" || exit 1; done

uninstall:
	rm -f $(addprefix $(I_BIN)/,$(PROGS) kc-batch) \
	    $(addprefix $(I_SHARE)/,$(notdir $(INST_DATA))) \
	    $(addprefix $(I_SHARE)/web/,$(notdir $(INST_WEB))) \
	    $(foreach f,$(INST_MAN),$(I_MAN)/man$(subst .,,$(suffix $(f)))/$(notdir $(f))) \
	    $(addprefix $(I_COMP)/,$(PROGS))
	rmdir $(I_SHARE)/web $(I_SHARE) 2>/dev/null || true

man:
	scripts/md2man docs/records.md >docs/man/kc-records.5.tmp
	mv docs/man/kc-records.5.tmp docs/man/kc-records.5

clean:
	rm -rf build build-san build-fuzz $(addprefix bin/,$(PROGS))

.PHONY: all units deps san test check demo bench bench-quality bench-quality-live bench-learn install uninstall man clean fuzz fuzz-smoke
.DELETE_ON_ERROR:

-include $(LIB_OBJ:.o=.d) $(wildcard $(B)/*/*.d $(B)/tests/*.d)
