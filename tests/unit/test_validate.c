/* SPDX-License-Identifier: Apache-2.0 */
/*
 * The generated validators accept good flag combinations and reject
 * unknown bits or values with the errno Linux returns (each case was
 * checked against the host kernel when its spec entry was written).
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "gen/linux_flags.h"
#include "gen/syscall_names.h"

static void test_pipe2_dup3_flags(void **state)
{
	(void)state;
	assert_int_equal(validate_pipe2(&(struct pipe2_args){
				 .flags = LINUX_O_CLOEXEC | LINUX_O_NONBLOCK }),
			 0);
	assert_int_equal(validate_pipe2(&(struct pipe2_args){
				 .flags = LINUX_O_CREAT }),
			 -EINVAL);
	assert_int_equal(validate_dup3(&(struct dup3_args){
				 .flags = LINUX_O_CLOEXEC }),
			 0);
	assert_int_equal(validate_dup3(&(struct dup3_args){
				 .flags = LINUX_O_NONBLOCK }),
			 -EINVAL);
}

static void test_wait4_options(void **state)
{
	(void)state;
	assert_int_equal(validate_wait4(&(struct wait4_args){
				 .options = LINUX_WNOHANG | LINUX___WALL }),
			 0);
	assert_int_equal(validate_wait4(&(struct wait4_args){
				 .options = 0x100 }),
			 -EINVAL);
}

/* Enum arguments: only listed values pass. */
static void test_enums(void **state)
{
	(void)state;
	assert_int_equal(validate_getrlimit(&(struct getrlimit_args){
				 .resource = LINUX_RLIMIT_NOFILE }),
			 0);
	assert_int_equal(validate_getrlimit(&(struct getrlimit_args){
				 .resource = 16 }),
			 -EINVAL);
	assert_int_equal(validate_getrlimit(&(struct getrlimit_args){
				 .resource = -1 }),
			 -EINVAL);
	assert_int_equal(validate_madvise(&(struct madvise_args){
				 .advice = LINUX_MADV_DONTNEED }),
			 0);
	assert_int_equal(validate_madvise(&(struct madvise_args){
				 .advice = 5 }),
			 -EINVAL);
}

/* futex rejects unknown option bits with ENOSYS, not EINVAL. */
static void test_futex_errno(void **state)
{
	(void)state;
	assert_int_equal(validate_futex(&(struct futex_args){
				 .op = LINUX_FUTEX_WAIT |
					     LINUX_FUTEX_PRIVATE_FLAG }),
			 0);
	assert_int_equal(validate_futex(&(struct futex_args){
				 .op = 0x400 }),
			 -ENOSYS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pipe2_dup3_flags),
		cmocka_unit_test(test_wait4_options),
		cmocka_unit_test(test_enums),
		cmocka_unit_test(test_futex_errno),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
