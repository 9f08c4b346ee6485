/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generated syscall table: lookups by number and name, its agreement
 * with the host's <asm/unistd_64.h>, and dispatch of what is unsupported.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "config.h"
#include "gen/syscall_names.h"

static void test_lookup_by_number(void **state)
{
	(void)state;
	assert_string_equal(syscall_lookup(0)->name, "read");
	assert_string_equal(syscall_lookup(1)->name, "write");
	assert_string_equal(syscall_lookup(59)->name, "execve");
	assert_string_equal(syscall_lookup(231)->name, "exit_group");
	assert_string_equal(syscall_lookup(435)->name, "clone3");
	/* Holes and numbers past the end. */
	assert_null(syscall_lookup(335));
	assert_null(syscall_lookup(SYSCALL_TABLE_SIZE));
	assert_null(syscall_lookup((uint64_t)-1));
}

static void test_lookup_by_name(void **state)
{
	(void)state;
	assert_int_equal(syscall_lookup_name("openat")->nr, 257);
	assert_int_equal(syscall_lookup_name("getpid")->nr, 39);
	assert_null(syscall_lookup_name("no_such_call"));
	assert_null(syscall_lookup_name(""));
}

/* Every entry sits at its own number, and the SYS_ constants agree. */
static void test_table_is_coherent(void **state)
{
	unsigned named = 0;

	(void)state;
	for (size_t i = 0; i < syscall_table_size; i++) {
		const struct syscall_entry *e = &syscall_table[i];

		assert_non_null(e->call);
		if (!e->name) {
			assert_int_equal(e->nr, -1);
			continue;
		}
		named++;
		assert_int_equal(e->nr, (int)i);
		assert_ptr_equal(syscall_lookup_name(e->name), e);
		assert_non_null(e->print_args);
		assert_true(e->nargs <= 6);
		if (e->status == SYSCALL_UNSUPPORTED)
			assert_true(e->unsupported_errno > 0);
		if (e->status == SYSCALL_PARTIAL)
			assert_true(e->note[0] != '\0');
	}
	assert_int_equal(named, SYSCALL_COUNT);
	assert_int_equal(SYS_read, 0);
	assert_int_equal(SYS_openat, 257);
	assert_int_equal(SYS_clone3, 435);
}

/* Every `#define __NR_name number` of the host header is in the table
 * under that name, and the table has nothing the header lacks. */
static void test_matches_host_header(void **state)
{
	FILE *f = fopen(HOST_UNISTD_64_H, "r");
	char line[256], name[128];
	unsigned nr, found = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		const struct syscall_entry *e;

		if (sscanf(line, "#define __NR_%127s %u", name, &nr) != 2)
			continue;
		e = syscall_lookup(nr);
		if (!e)
			fail_msg("%s (%u) from the header is not in the spec",
				 name, nr);
		if (strcmp(e->name, name) != 0)
			fail_msg("number %u is %s in the header, %s in the spec",
				 nr, name, e->name);
		found++;
	}
	fclose(f);
	assert_int_equal(found, SYSCALL_COUNT);
}

/* What the spec says is unsupported returns its errno through dispatch,
 * and so do holes and numbers past the end. */
static void test_dispatch_unsupported(void **state)
{
	const uint64_t raw[6] = { 0 };
	unsigned checked = 0;

	(void)state;
	for (size_t i = 0; i < syscall_table_size; i++) {
		const struct syscall_entry *e = &syscall_table[i];

		if (e->name && e->status != SYSCALL_UNSUPPORTED)
			continue;
		assert_int_equal(syscall_dispatch(NULL, i, raw),
				 -e->unsupported_errno);
		checked++;
	}
	assert_true(checked > 0);
	assert_int_equal(syscall_dispatch(NULL, 100000, raw), -ENOSYS);
	assert_int_equal(syscall_dispatch(NULL, (uint64_t)-1, raw), -ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lookup_by_number),
		cmocka_unit_test(test_lookup_by_name),
		cmocka_unit_test(test_table_is_coherent),
		cmocka_unit_test(test_matches_host_header),
		cmocka_unit_test(test_dispatch_unsupported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
