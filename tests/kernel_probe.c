/* SPDX-License-Identifier: MIT */
/*
 * struct aioring_kernel_probe can grow: the caller says how big its struct
 * is, the library fills no more than that and says how much it filled. A
 * caller that does not set the size (or sets one smaller than the first
 * version) gets -EINVAL, not a write past its struct.
 */
#include <errno.h>
#include <stddef.h>
#include <string.h>
#include "testlib.h"

/* The struct of a newer header: this one's fields and one more. */
struct bigger_probe {
	struct aioring_kernel_probe base;
	int future_field;
};

static void case_size_checked(void)
{
	struct aioring_kernel_probe kp;

	memset(&kp, 0, sizeof(kp));
	CHECK_EQ(aioring_probe_kernel(&kp), -EINVAL);	/* size 0 */
	kp.size = offsetof(struct aioring_kernel_probe, release);
	CHECK_EQ(aioring_probe_kernel(&kp), -EINVAL);	/* too small */
	CHECK_EQ(aioring_probe_kernel(NULL), -EINVAL);
}

static void case_exact_size(void)
{
	struct aioring_kernel_probe kp;

	memset(&kp, 0xa5, sizeof(kp));
	kp.size = sizeof(kp);
	CHECK_EQ(aioring_probe_kernel(&kp), 0);
	CHECK_EQ(kp.size, sizeof(kp));
	CHECK(kp.release[0] && memchr(kp.release, 0, sizeof(kp.release)));
	if (t_kernel_ok())
		CHECK_EQ(kp.setup_errno, 0);
	else
		CHECK(kp.setup_errno != 0 || kp.sigsys);
	CHECK(kp.sigsys == 0 || kp.sigsys == 1);
}

/* A newer caller: its extra field is zeroed, and size says where this
 * library's knowledge ends. */
static void case_bigger_caller(void)
{
	struct bigger_probe bp;

	memset(&bp, 0xa5, sizeof(bp));
	bp.base.size = sizeof(bp);
	CHECK_EQ(aioring_probe_kernel(&bp.base), 0);
	CHECK_EQ(bp.base.size, sizeof(struct aioring_kernel_probe));
	CHECK_EQ(bp.future_field, 0);
	CHECK(bp.base.release[0]);
}

int main(int argc, char **argv)
{
	static const struct t_case cases[] = {
		{ "size_checked", case_size_checked, T_ONCE },
		{ "exact_size", case_exact_size, T_ONCE },
		{ "bigger_caller", case_bigger_caller, T_ONCE },
		{ NULL, NULL, 0 },
	};

	return t_main(argc, argv, cases);
}
