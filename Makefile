# moneytrail build. `make` builds the command and the tools; `make test` runs
# every test; `make demo` shows moneytrail on synthetic data. See README.md.

CC ?= cc
PKGS := glib-2.0 zlib libpq libisal libxml-2.0
OPT ?= -O2
# Link-time optimisation lets the engine's hot path inline across modules
# (window, aggregates, interpreter): 2% fewer instructions, 7% less wall
# time on the benchmark's catalogue scan in five runs in turns. Not for
# the unit tests (it drops tests the framework finds by linker section),
# nor the sanitizer and fuzzing builds.
LTO ?= -flto=auto
CFLAGS_BASE := -std=c11 -g $(OPT) -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L \
	-Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wwrite-strings \
	-Wno-unused-parameter -MMD -MP
ifeq ($(DEVELOPER),1)
CFLAGS_BASE += -Werror
endif
B ?= build
PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS = $(shell pkg-config --libs $(PKGS) 2>/dev/null)
CRIT_LIBS = $(shell pkg-config --libs criterion 2>/dev/null)
CFLAGS_ALL = $(CFLAGS_BASE) $(LTO) $(SAN) $(PKG_CFLAGS) -iquote analyzer $(CFLAGS)
LDLIBS_ALL = $(OPT) $(LTO) $(SAN) $(PKG_LIBS) -lm $(LDFLAGS)

LIB_SRC := $(filter-out analyzer/cli/main.c,$(wildcard analyzer/*/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
TEST_SRC := $(wildcard tests/unit/test_*.c)
TEST_OBJ := $(TEST_SRC:%.c=$(B)/%.o)
$(TEST_OBJ): LTO :=
TOOL_SRC := $(wildcard tools/mtgen/*.c)
TOOL_OBJ := $(TOOL_SRC:%.c=$(B)/%.o)
PROFILES := $(sort $(wildcard schema/profiles/*.profile))
MIGRATIONS := $(sort $(wildcard schema/migrations/*.sql))

.PHONY: all test test-slurm unit e2e rules-test demo asan tsan fuzz format format-check clean deps bench
# MT is the command the tests run: ./moneytrail, or the sanitizer build.
MT ?= ./moneytrail
# The tools are built without sanitizers, also by `make asan`, so that a
# sanitizer build never replaces them.
ifeq ($(SAN),)
TOOLS := $(if $(TOOL_SRC),tools/mtgen/mtgen) tools/pgdrain tools/damage
endif
all: $(MT) $(TOOLS)

$(B)/%.o: %.c
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# The shipped mapping profiles are compiled into the binary, so that format
# detection works from any directory.
$(B)/profiles_builtin.c: $(PROFILES) tools/embed-profiles.sh
	@mkdir -p $(B)
	sh tools/embed-profiles.sh $(PROFILES) > $@
$(B)/profiles_builtin.o: $(B)/profiles_builtin.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

# The schema migrations too, so that `moneytrail db init` needs no files.
$(B)/migrations_builtin.c: $(MIGRATIONS) tools/embed-migrations.sh
	@mkdir -p $(B)
	sh tools/embed-migrations.sh $(MIGRATIONS) > $@
$(B)/migrations_builtin.o: $(B)/migrations_builtin.c
	$(CC) $(CFLAGS_ALL) -c $< -o $@

$(B)/libmt.a: $(LIB_OBJ) $(B)/profiles_builtin.o $(B)/migrations_builtin.o
	rm -f $@
	gcc-ar rcs $@ $^

$(MT): $(B)/analyzer/cli/main.o $(B)/libmt.a
	$(CC) -o $@ $^ $(LDLIBS_ALL)

# The generator shares the analyzer's calendar (base/tstamp).
tools/mtgen/mtgen: $(TOOL_OBJ) $(B)/analyzer/base/tstamp.o
	$(CC) -o $@ $^ $(LDLIBS_ALL)

# The bare libpq client that tools/bench-pg measures moneytrail against.
tools/pgdrain: $(B)/tools/pgdrain.o
	$(CC) -o $@ $^ $(LDLIBS_ALL)

# The random damage of tests/e2e/t_damage.sh.
tools/damage: $(B)/tools/damage.o
	$(CC) -o $@ $^ $(LDLIBS_ALL)

$(B)/unit-tests: $(TEST_OBJ) $(B)/libmt.a
	$(CC) -o $@ $^ $(LDLIBS_ALL) $(CRIT_LIBS)

deps:
	@sh tools/deps.sh

unit: $(B)/unit-tests
	$(B)/unit-tests --jobs 2

rules-test: $(MT)
	$(MT) rules check rules
	$(MT) rules test rules
	$(MT) rules test tests/rules

e2e: all
	MT=$(MT) sh tests/e2e/run.sh

# The sharded scan on a private Slurm cluster alone (e2e runs it too).
test-slurm: deps
	$(MAKE) all
	MT=$(MT) sh tests/e2e/t_slurm.sh

test: deps
	$(MAKE) all $(B)/unit-tests
	$(MAKE) unit rules-test e2e
	@echo "all test suites passed"

demo: deps
	$(MAKE) all
	sh tools/demo.sh

ASAN = B=build-asan MT=build-asan/moneytrail OPT=-O1 LTO= \
	SAN="-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all"
asan: deps
	$(MAKE) tools/mtgen/mtgen tools/pgdrain
	$(MAKE) $(ASAN) all build-asan/unit-tests
	ASAN_OPTIONS=detect_leaks=1 build-asan/unit-tests --jobs 2
	$(MAKE) $(ASAN) rules-test
	$(MAKE) $(ASAN) e2e

# ThreadSanitizer over the threads (gzip inflating, engine shards): scans of
# a generated gzip file with 1, 2 and 4 engine threads, each against the
# alerts of one thread on the plain file.
TSAN = B=build-tsan MT=build-tsan/moneytrail OPT=-O1 LTO= SAN="-fsanitize=thread -fno-omit-frame-pointer"
tsan: deps
	$(MAKE) tools/mtgen/mtgen
	$(MAKE) $(TSAN) build-tsan/moneytrail
	rm -rf build-tsan/gen && tools/mtgen/mtgen -q --seed 5 --accounts 3000 --days 45 --count all=1 --out build-tsan/gen
	gzip -k build-tsan/gen/transactions.csv
	build-tsan/moneytrail scan -q -j 1 --accounts build-tsan/gen/accounts.csv -o build-tsan/plain.jsonl build-tsan/gen/transactions.csv
	# G_SLICE: GLib's slice allocator hands memory between threads behind
	# futexes ThreadSanitizer cannot see (false races); malloc it sees
	for j in 1 2 4; do \
		G_SLICE=always-malloc TSAN_OPTIONS=halt_on_error=1 build-tsan/moneytrail scan -q -j $$j --accounts build-tsan/gen/accounts.csv \
			-o build-tsan/j$$j.jsonl build-tsan/gen/transactions.csv.gz && cmp build-tsan/plain.jsonl build-tsan/j$$j.jsonl || exit 1; \
	done

# Fuzzing (libFuzzer, clang): the rule compiler, the CSV decoder and the
# whole read path (source -> CSV -> decode -> input, gzip members).
FUZZ_SECONDS ?= 60
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
fuzz: deps
	$(MAKE) B=build-fuzz CC=clang OPT=-O1 LTO= SAN="$(FUZZ_SAN) -fsanitize=fuzzer-no-link" build-fuzz/libmt.a
	for t in rules decode read; do \
		clang -g -O1 $(FUZZ_SAN) -fsanitize=fuzzer -iquote analyzer $(PKG_CFLAGS) \
			tests/fuzz/fuzz_$$t.c build-fuzz/libmt.a $(PKG_LIBS) -lm -o build-fuzz/fuzz_$$t || exit 1; \
	done
	sh tests/fuzz/run.sh $(FUZZ_SECONDS)

bench: all
	sh tools/bench

FORMAT_FILES = $(wildcard analyzer/*/*.c analyzer/*/*.h tests/unit/*.c tests/unit/*.h tests/fuzz/*.c tools/*.c tools/mtgen/*.c tools/mtgen/*.h)
format:
	clang-format -i $(FORMAT_FILES)
format-check:
	clang-format --dry-run -Werror $(FORMAT_FILES)

clean:
	rm -rf build build-asan build-tsan build-fuzz moneytrail tools/mtgen/mtgen tools/pgdrain tools/damage

-include $(LIB_OBJ:.o=.d) $(TEST_OBJ:.o=.d) $(TOOL_OBJ:.o=.d) $(B)/analyzer/cli/main.d
