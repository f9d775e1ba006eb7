# Host fuzzers (libFuzzer, clang): each tests/fuzz/fuzz_NAME.c is linked with
# the same project sources as the unit test it extends (tests/unit/unit.mk's
# NAME_SRCS lists), with ASan and UBSan.
#
#   make fuzz             build every target, run each for FUZZ_SECONDS on its
#                         corpus (tests/fuzz/corpus/NAME/; new inputs go to
#                         build/fuzz/corpus/NAME/), print execs/s and coverage
#   make fuzz-merge       minimise both into tests/fuzz/corpus/NAME/ again
#   make fuzz-replay      run each target once over its corpus and its past
#                         crashers (tests/fuzz/crashers/NAME/): no fuzzing
#   make fuzz-NAME        build and fuzz one target
FUZZ_BUILD   := build/fuzz
FUZZ_CC      ?= clang-14
FUZZ_SECONDS ?= 60
FUZZ_JOBS    ?= 1
FUZZ_CFLAGS  := -std=c11 -Wall -Wextra -Werror -g -O1 -I. -I$(BUILD)/include -DUNIT_TEST \
		-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all \
		-fno-omit-frame-pointer
FUZZ_LIBS    := -lcmocka -lfdt

fuzz_vgic_v3_SRCS   := vgic/vgic_v3.c $(vgic_SRCS)
fuzz_vgic_v2_SRCS   := $(vgic_v2_SRCS)
fuzz_esr_SRCS       := $(esr_SRCS)
fuzz_dt_host_SRCS   := $(modules_SRCS)
fuzz_dt_guest_SRCS  := $(dt_guest_SRCS)
fuzz_psci_smccc_SRCS := $(psci_SRCS)
fuzz_vpl011_SRCS    := $(vpl011_SRCS)
fuzz_dt_domains_SRCS := $(dt_domains_SRCS)

# AArch64 inline assembly: the unit tests' shim (tests/unit/arm64_asm_shim.h).
FUZZ_SHIM := -include tests/unit/arm64_asm_shim.h
fuzz_vgic_v3_FLAGS   := $(FUZZ_SHIM) -Wl,--wrap=gic_deactivate
fuzz_vgic_v2_FLAGS   := $(FUZZ_SHIM) -Wl,--wrap=gic_deactivate
fuzz_psci_smccc_FLAGS := $(FUZZ_SHIM) -include tests/fuzz/fuzz_wfi_shim.h

FUZZ_TARGETS := $(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c))
FUZZ_BINS    := $(addprefix $(FUZZ_BUILD)/fuzz_,$(FUZZ_TARGETS))

.PHONY: fuzz fuzz-build fuzz-replay fuzz-merge
$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.c $$(fuzz_$$*_SRCS) $$(wildcard tests/fuzz/*.h) \
		$$(wildcard tests/unit/*.h) $(HYP_HDRS) $(ASM_OFFSETS)
	@mkdir -p $(dir $@)
	@echo "  FUZZCC  $@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $(fuzz_$*_FLAGS) -o $@ $< $(fuzz_$*_SRCS) $(FUZZ_LIBS)

fuzz-build: $(FUZZ_BINS)

# Fuzz one target for FUZZ_SECONDS; its log ends with libFuzzer's final stats.
# New inputs go to build/fuzz/corpus/NAME; the checked-in corpus is only read.
fuzz-%: $(FUZZ_BUILD)/fuzz_%
	@mkdir -p tests/fuzz/corpus/$* $(FUZZ_BUILD)/corpus/$* $(FUZZ_BUILD)/artifacts/$*
	$(Q)cd tests/fuzz && nice -n 10 ../../$< -max_total_time=$(FUZZ_SECONDS) \
		-timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix=../../$(FUZZ_BUILD)/artifacts/$*/ \
		$$( [ -f dict/$*.dict ] && echo -dict=dict/$*.dict ) \
		../../$(FUZZ_BUILD)/corpus/$* corpus/$* >../../$(FUZZ_BUILD)/$*.log 2>&1; \
		rc=$$?; grep -E '^#[0-9]+[[:space:]].*cov:' ../../$(FUZZ_BUILD)/$*.log | tail -n 1 | \
			sed -E 's/^(#[0-9]+)[[:space:]]+[A-Z]+[[:space:]]+(cov: [0-9]+ ft: [0-9]+ corp: [^ ]+).*/  \1 runs, \2/'; \
		grep -E 'stat::(number_of_executed_units|average_exec_per_sec)' ../../$(FUZZ_BUILD)/$*.log | \
			sed 's/^/  /'; \
		[ $$rc -eq 0 ] || { grep -E 'invariant violated|ERROR: (libFuzzer|AddressSanitizer|UndefinedBehavior)|runtime error|Test unit written' \
			../../$(FUZZ_BUILD)/$*.log | head -n 4; }; \
		exit $$rc

fuzz: $(FUZZ_BINS)
	$(Q)fail=0; for t in $(FUZZ_TARGETS); do \
		echo "== fuzz_$$t ($(FUZZ_SECONDS) s)"; \
		$(MAKE) --no-print-directory fuzz-$$t || fail=1; \
	done; exit $$fail

# Every checked-in input once: the corpus and the past crashers (regressions).
# A failing input is copied to build/fuzz/artifacts/NAME, never into the tree.
fuzz-replay: $(FUZZ_BINS)
	$(Q)fail=0; for t in $(FUZZ_TARGETS); do \
		dirs=$$(cd tests/fuzz && ls -d corpus/$$t crashers/$$t 2>/dev/null); \
		[ -n "$$dirs" ] || continue; \
		files=$$(cd tests/fuzz && find $$dirs -type f | wc -l); \
		mkdir -p $(FUZZ_BUILD)/artifacts/$$t; \
		if (cd tests/fuzz && ../../$(FUZZ_BUILD)/fuzz_$$t -runs=0 -timeout=10 \
			-artifact_prefix=../../$(FUZZ_BUILD)/artifacts/$$t/ $$dirs \
			>../../$(FUZZ_BUILD)/replay-$$t.log 2>&1); then \
			echo "== fuzz_$$t: $$files inputs replayed, OK"; \
		else \
			echo "== fuzz_$$t: FAILED (see $(FUZZ_BUILD)/replay-$$t.log)"; fail=1; \
		fi; \
	done; exit $$fail

# The checked-in corpora: what covers a new edge (-use_counters=0 keeps them
# small), from the corpus and what fuzzing added, replacing tests/fuzz/corpus/NAME;
# seed-* (the DTB seeds) and deep-* (long step sequences) are kept as they are.
fuzz-merge: $(FUZZ_BINS)
	$(Q)for t in $(FUZZ_TARGETS); do \
		rm -rf $(FUZZ_BUILD)/merged/$$t && mkdir -p $(FUZZ_BUILD)/merged/$$t $(FUZZ_BUILD)/corpus/$$t; \
		(cd tests/fuzz && ../../$(FUZZ_BUILD)/fuzz_$$t -merge=1 -use_counters=0 \
			../../$(FUZZ_BUILD)/merged/$$t corpus/$$t ../../$(FUZZ_BUILD)/corpus/$$t \
			>../../$(FUZZ_BUILD)/merge-$$t.log 2>&1) || exit 1; \
		cp tests/fuzz/corpus/$$t/seed-* tests/fuzz/corpus/$$t/deep-* $(FUZZ_BUILD)/merged/$$t/ 2>/dev/null; \
		rm -rf tests/fuzz/corpus/$$t && cp -r $(FUZZ_BUILD)/merged/$$t tests/fuzz/corpus/$$t; \
		echo "== $$t: $$(ls tests/fuzz/corpus/$$t | wc -l) inputs"; \
	done
