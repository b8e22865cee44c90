# scripts/batch.mk - run kc-clip once for every URL in a list, one output
# folder per URL, all into one clip database.  A rerun skips the URLs that
# finished; failed ones are retried.
#
#   make -f scripts/batch.mk URLS=urls.txt -j4 [-k]
#
# Variables:
#   URLS     file with one URL or path per line; blank lines and lines
#            starting with # are skipped                 (default urls.txt)
#   OUT      parent folder of the per-URL folders         (default batch)
#   DB       clip database                                (default kc.db)
#   KC_CLIP  the driver to run     (default: bin/kc-clip beside this file,
#            else kc-clip from PATH)
#   ARGS     extra kc-clip options, e.g. ARGS="--max-audio-clips 5"
#
# Each folder OUT/ID (ID = first 12 hex digits of the URL's SHA-1) gets
# url (the URL), clips.txt (kc-clip's table), log (its stderr), the clips,
# the highlights JSON, and .done once kc-clip succeeded.  URLs reach the
# shell only as quoted variables read from the list, never as code.

URLS    ?= urls.txt
OUT     ?= batch
DB      ?= kc.db
ARGS    ?=
_here   := $(dir $(lastword $(MAKEFILE_LIST)))
KC_CLIP ?= $(if $(wildcard $(_here)../bin/kc-clip),$(_here)../bin/kc-clip,kc-clip)

ifeq ($(wildcard $(URLS)),)
$(error $(URLS): no such file (give URLS=FILE))
endif

_ids := $(shell grep -v -e '^[[:space:]]*$$' -e '^[[:space:]]*\#' '$(URLS)' | \
	while IFS= read -r u; do printf '%s' "$$u" | sha1sum | cut -c1-12; done)

all: $(_ids:%=$(OUT)/%/.done)
	@echo "batch: $(words $(_ids)) URLs done in $(OUT)/"

# order-only: editing the list must not redo the URLs already done
$(OUT)/%/.done: | $(URLS)
	@url=$$(grep -v -e '^[[:space:]]*$$' -e '^[[:space:]]*#' '$(URLS)' | \
	    while IFS= read -r u; do \
	        [ "$$(printf '%s' "$$u" | sha1sum | cut -c1-12)" = '$*' ] && \
	            { printf '%s' "$$u"; break; }; done); \
	mkdir -p '$(OUT)/$*' && printf '%s\n' "$$url" >'$(OUT)/$*/url' && \
	echo "batch: $$url -> $(OUT)/$*" && \
	if '$(KC_CLIP)' --generate-clips --quiet --out '$(OUT)/$*' --db '$(DB)' \
	    $(ARGS) -- "$$url" >'$(OUT)/$*/clips.txt' 2>'$(OUT)/$*/log'; then \
	    touch '$@'; \
	else \
	    echo "batch: $$url failed: $$(tail -n 1 '$(OUT)/$*/log')" >&2; exit 1; \
	fi

.PHONY: all
