/* SPDX-License-Identifier: Apache-2.0 */
/*
 * abi/ioctl.h: the generic file ioctls and the terminal ioctls with their
 * structures, as the x86-64 guest sees them.
 *
 * Guest ABI only: fixed-width types and no host includes.
 */
#ifndef CVISOR_ABI_IOCTL_H
#define CVISOR_ABI_IOCTL_H

#include <stdint.h>

/* Generic file ioctls (handled by the VFS for every file). */
#define LINUX_FIONREAD 0x541Bu
#define LINUX_FIONBIO 0x5421u
#define LINUX_FIONCLEX 0x5450u
#define LINUX_FIOCLEX 0x5451u
#define LINUX_FIOASYNC 0x5452u

/* Terminal ioctls. */
#define LINUX_TCGETS 0x5401u
#define LINUX_TCSETS 0x5402u
#define LINUX_TCSETSW 0x5403u
#define LINUX_TCSETSF 0x5404u
#define LINUX_TCGETA 0x5405u
#define LINUX_TCSBRK 0x5409u
#define LINUX_TCXONC 0x540Au
#define LINUX_TCFLSH 0x540Bu
#define LINUX_TIOCSCTTY 0x540Eu
#define LINUX_TIOCGPGRP 0x540Fu
#define LINUX_TIOCSPGRP 0x5410u
#define LINUX_TIOCOUTQ 0x5411u
#define LINUX_TIOCGWINSZ 0x5413u
#define LINUX_TIOCSWINSZ 0x5414u
#define LINUX_TIOCNOTTY 0x5422u
#define LINUX_TIOCGSID 0x5429u
#define LINUX_TIOCGPTN 0x80045430u
#define LINUX_TIOCSPTLCK 0x40045431u

/* struct termios of TCGETS/TCSETS* (the kernel's, not glibc's). */
#define LINUX_NCCS 19
struct linux_termios {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LINUX_NCCS];
};

struct linux_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};

#endif
