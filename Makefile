# berth: plain GNU make. `make demo` and `make check` install what is missing.
PREFIX  ?= /usr/local
SBINDIR ?= $(PREFIX)/sbin
MANDIR  ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions
DESTDIR ?=
VERSION := 0.1.0
COMMIT  := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)

CC      ?= gcc
BUILD   := build
WARN    := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter
CFLAGS  ?= -O2 -g
# Our own flags stay in ALL_CFLAGS so `make CFLAGS=...` only changes tuning.
ALL_CFLAGS = -std=gnu11 $(WARN) -D_GNU_SOURCE -fno-strict-aliasing \
           -DBERTH_VERSION='"$(VERSION)"' -DBERTH_COMMIT='"$(COMMIT)"' \
           -I. -Ilibcontainer -Ilibinit $(CFLAGS)
# Static libraries: berth is started for every verb, and a dynamic loader
# mapping and relocating six libraries (libselinux pulls in pcre2) costs
# each run more than the size. berth itself is linked -static (no NSS use:
# the owner name is read from /etc/passwd as runc does); the unit tests
# link the same archives dynamically against glibc, for ASan.
STATIC_LIBS := -lyajl_s -lseccomp -lcap -lselinux -lpcre2-8
LDLIBS  := -Wl,-Bstatic $(STATIC_LIBS) -Wl,-Bdynamic

# berth-init: static, no library but the kernel ABI (musl when available).
INIT_CC     := $(shell command -v musl-gcc >/dev/null 2>&1 && echo musl-gcc || echo $(CC))
INIT_CFLAGS := -std=gnu11 $(WARN) -D_GNU_SOURCE -Os -static -fno-asynchronous-unwind-tables \
               -ffunction-sections -fdata-sections -Wl,--gc-sections -s -Ilibinit

LIB_SRCS  := $(sort $(wildcard libcontainer/*.c))
CMD_SRCS  := $(sort $(wildcard cmd/berth/*.c))
INIT_SRCS := $(sort $(wildcard libinit/*.c))
HDRS      := $(wildcard libcontainer/*.h libinit/*.h cmd/berth/*.h)
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
CMD_OBJS  := $(CMD_SRCS:%.c=$(BUILD)/%.o)
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/unit/%)
TOOL_SRCS := $(sort $(wildcard tests/tools/*.c))
TOOL_BINS := $(TOOL_SRCS:tests/tools/%.c=$(BUILD)/tools/%)
ASAN      := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

.PHONY: all deps demo check check-cgroup2 check-e2e unit lint integration install clean bench
all: $(BUILD)/berth

$(BUILD)/berth-init: $(INIT_SRCS) $(wildcard libinit/*.h)
	@mkdir -p $(@D)
	$(INIT_CC) $(INIT_CFLAGS) -o $@ $(INIT_SRCS)

$(BUILD)/init_blob.o: $(BUILD)/berth-init libcontainer/init_blob.S
	$(CC) -c -DBERTH_INIT_PATH='"$(BUILD)/berth-init"' -o $@ libcontainer/init_blob.S

$(BUILD)/%.o: %.c $(HDRS)
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

# x86-64: berth's entry point maps its code first (cmd/berth/map_code.c).
ENTRY_LDFLAGS := $(if $(filter x86_64-%,$(shell $(CC) -dumpmachine)),-e berth_entry)

$(BUILD)/berth: $(CMD_OBJS) $(LIB_OBJS) $(BUILD)/init_blob.o
	$(CC) $(ALL_CFLAGS) -static $(ENTRY_LDFLAGS) $(LDFLAGS) -o $@ $^ $(STATIC_LIBS)

# Unit tests: libcontainer sources rebuilt under ASan+UBSan.
$(BUILD)/unit/%: tests/unit/%.c tests/unit/unit.h $(LIB_SRCS) $(HDRS) $(BUILD)/init_blob.o
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) $(ASAN) -Itests/unit -o $@ $< $(LIB_SRCS) $(BUILD)/init_blob.o $(LDLIBS)

# Small helper programs the integration tests use (console socket receiver...).
$(BUILD)/tools/%: tests/tools/%.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -o $@ $<

# Run inside the busybox test rootfs, which has no libc.
$(BUILD)/tools/perfprobe: tests/tools/perfprobe.c
	@mkdir -p $(@D)
	$(CC) $(ALL_CFLAGS) -static -o $@ $<

deps:
	@tests/install-deps.sh

demo: deps all
	@tests/demo.sh

unit: $(UNIT_BINS)
integration: all $(TOOL_BINS)

lint:
	@tests/lint.sh

check: deps
	@$(MAKE) --no-print-directory all $(UNIT_BINS) $(TOOL_BINS)
	@tests/check.sh $(UNIT_BINS)

# The bats tests in a VM (qemu, Debian's kernel) whose only cgroup hierarchy
# is cgroup2: tests/cgroup2/run.sh.
check-cgroup2:
	@tests/install-deps.sh --cgroup2
	@$(MAKE) --no-print-directory all $(TOOL_BINS)
	@tests/cgroup2/run.sh

# The end-to-end engine lane: containerd, dockerd and podman started with
# private state, running scenarios through E2E_RUNTIME (default build/berth):
# tests/e2e/run.sh. E2E_RUNTIME=/usr/sbin/runc make check-e2e checks the lane.
check-e2e: all
	@tests/e2e/run.sh

bench: deps all
	@bench/run.sh

install: all
	install -D -m 0755 $(BUILD)/berth $(DESTDIR)$(SBINDIR)/berth
	install -D -m 0644 man/berth.8 $(DESTDIR)$(MANDIR)/man8/berth.8
	install -D -m 0644 contrib/completions/bash/berth $(DESTDIR)$(BASHCOMPDIR)/berth

clean:
	rm -rf $(BUILD)
