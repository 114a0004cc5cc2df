/* berth maps its whole code and read-only data into its page tables in one
 * call, before anything else runs. The binary is static, about 0.9 MiB of
 * code and 0.35 MiB of read-only data: a verb touches 25 to 30 of their
 * 64 KiB fault-around windows, each a page fault of 10-15 us on a VM with
 * shadow page tables, where MADV_POPULATE_READ of all of it takes about
 * 40 us (measured on the machines berth is benchmarked on; the pages are
 * in the page cache, since berth runs for every verb). Stage 1, which runs
 * in berth's memory, profits as well. A kernel without MADV_POPULATE_READ
 * (before 5.14) refuses it: then the faults happen as before.
 *
 * On x86-64 it happens at the entry point (the Makefile links with
 * -e berth_entry), before glibc's own start-up, which alone takes a dozen
 * of those faults; elsewhere in a constructor that runs before the
 * libraries' ones. */
#include <elf.h>
#include <link.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef MADV_POPULATE_READ
#define MADV_POPULATE_READ 22
#endif

/* The program headers, and the bias of a position-independent build. */
extern const ElfW(Ehdr) __ehdr_start;

static volatile int code_mapped;

#if defined(__x86_64__)
/* x86-64 pages are 4 KiB; at the entry point glibc cannot be asked yet. */
#define MAP_CODE_PAGE 4096UL

/* Before glibc has set up TLS: no errno, no libc, no stack protector. */
static inline long map_code_madvise(uintptr_t start, uintptr_t len)
{
	long ret;

	__asm__ volatile("syscall"
			 : "=a"(ret)
			 : "a"((long)SYS_madvise), "D"(start), "S"(len), "d"((long)MADV_POPULATE_READ)
			 : "rcx", "r11", "memory");
	return ret;
}
#else
/* Only from the constructor, where glibc knows the page size (arm64 and
 * ppc64 kernels may use 16 or 64 KiB pages). */
#define MAP_CODE_PAGE ((uintptr_t)sysconf(_SC_PAGESIZE))

static inline long map_code_madvise(uintptr_t start, uintptr_t len)
{
	return madvise((void *)start, len, MADV_POPULATE_READ);
}
#endif

/* The read-only PT_LOAD segments, from the program headers the ELF header
 * (mapped at __ehdr_start) points to; adjacent ones (headers, code,
 * read-only data) in one call. Best effort: a refusal only leaves the
 * faults to come. */
__attribute__((used, no_stack_protector)) void berth_map_code(void)
{
	const ElfW(Ehdr) *eh = &__ehdr_start;
	const ElfW(Phdr) *ph = (const ElfW(Phdr) *)((const char *)eh + eh->e_phoff);
	uintptr_t bias = 0, start = 0, end = 0;

	if (code_mapped)
		return;
	code_mapped = 1;
	for (unsigned i = 0; i < eh->e_phnum; i++)
		if (ph[i].p_type == PT_LOAD && ph[i].p_offset == 0)
			bias = (uintptr_t)eh - ph[i].p_vaddr;
	for (unsigned i = 0; i < eh->e_phnum; i++) {
		uintptr_t s, e;

		if (ph[i].p_type != PT_LOAD || (ph[i].p_flags & PF_W))
			continue;
		s = (bias + ph[i].p_vaddr) & ~(MAP_CODE_PAGE - 1);
		e = bias + ph[i].p_vaddr + ph[i].p_memsz;
		if (end && s <= ((end + MAP_CODE_PAGE - 1) & ~(MAP_CODE_PAGE - 1))) {
			end = e > end ? e : end;
			continue;
		}
		if (end)
			(void)map_code_madvise(start, end - start);
		start = s;
		end = e;
	}
	if (end)
		(void)map_code_madvise(start, end - start);
}

#if defined(__x86_64__)
/* The entry point: rsp points at argc and rdx holds the function _start
 * registers with atexit; both go on to _start unchanged (r12 is kept
 * across the call by the ABI). The call leaves rsp 16-byte aligned minus
 * the return address, as a C function expects. */
__asm__(".text\n"
	".globl berth_entry\n"
	".type berth_entry,@function\n"
	"berth_entry:\n"
	"	mov %rdx, %r12\n"
	"	call berth_map_code\n"
	"	mov %r12, %rdx\n"
	"	jmp _start\n"
	".size berth_entry, .-berth_entry\n");
#endif

/* Linked without the entry point (or on another architecture): as early
 * as a program can run code, before the libraries' constructors. */
__attribute__((constructor(101))) static void map_code_in_constructor(void)
{
	berth_map_code();
}
