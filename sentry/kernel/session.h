/* SPDX-License-Identifier: Apache-2.0 */
/*
 * session.h: process groups and sessions as a whole (kernel/exit.c's
 * orphaned groups, kill_pgrp), for job control and the terminals.
 */
#ifndef CVISOR_SESSION_H
#define CVISOR_SESSION_H

#include <stdbool.h>

struct thread_group;

/* Send sig from the kernel (SI_KERNEL, as Linux's kill_pgrp with priv
 * set) to every live process of group pgid; how many got it. */
int pgrp_signal(int pgid, int sig);
/* Is group pgid orphaned, not counting `ignore` (an exiting process,
 * as a member or as a parent): no member has a parent in another group
 * of the same session? A group
 * with no members counts as orphaned (Linux's will_become_orphaned_pgrp). */
bool pgrp_orphaned(int pgid, const struct thread_group *ignore);
/* The session of the processes of group pgid, or of the process whose
 * pid is pgid when the group is empty; 0 when there is neither. */
int pgrp_session(int pgid);
/* Does group pgid have a stopped member? */
bool pgrp_has_stopped(int pgid);
/* A process is exiting (before its children are reparented): groups it
 * leaves orphaned with stopped members get SIGHUP then SIGCONT, as POSIX
 * asks (Linux's kill_orphaned_pgrp). Children reparented to init count
 * as detached, where Linux would count init's group (a deviation only
 * when init shares their session). */
void pgrp_exit_orphans(struct thread_group *);

#endif
