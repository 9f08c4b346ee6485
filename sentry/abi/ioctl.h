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
#define LINUX_TIOCSTI 0x5412u
#define LINUX_TIOCINQ LINUX_FIONREAD
#define LINUX_TIOCEXCL 0x540Cu
#define LINUX_TIOCNXCL 0x540Du
#define LINUX_TIOCPKT 0x5420u
#define LINUX_TIOCSETD 0x5423u
#define LINUX_TIOCGETD 0x5424u
#define LINUX_TCSBRKP 0x5425u
#define LINUX_TIOCSBRK 0x5427u
#define LINUX_TIOCCBRK 0x5428u
#define LINUX_TCGETS2 0x802C542Au
#define LINUX_TCSETS2 0x402C542Bu
#define LINUX_TCSETSW2 0x402C542Cu
#define LINUX_TCSETSF2 0x402C542Du
#define LINUX_TIOCGPTN 0x80045430u
#define LINUX_TIOCSPTLCK 0x40045431u
#define LINUX_TIOCSIG 0x40045436u
#define LINUX_TIOCVHANGUP 0x5437u
#define LINUX_TIOCGPKT 0x80045438u
#define LINUX_TIOCGPTLCK 0x80045439u
#define LINUX_TIOCGEXCL 0x80045440u
#define LINUX_TIOCGPTPEER 0x5441u

/* TCFLSH and TCXONC arguments. */
#define LINUX_TCIFLUSH 0
#define LINUX_TCOFLUSH 1
#define LINUX_TCIOFLUSH 2
#define LINUX_TCOOFF 0
#define LINUX_TCOON 1
#define LINUX_TCIOFF 2
#define LINUX_TCION 3

/* The line discipline TIOCGETD reports (the only one: N_TTY). */
#define LINUX_N_TTY 0

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

/* struct termios2 of TCGETS2/TCSETS*2: explicit speeds. */
struct linux_termios2 {
	uint32_t c_iflag;
	uint32_t c_oflag;
	uint32_t c_cflag;
	uint32_t c_lflag;
	uint8_t c_line;
	uint8_t c_cc[LINUX_NCCS];
	uint32_t c_ispeed;
	uint32_t c_ospeed;
};

/* c_cc indices. */
#define LINUX_VINTR 0
#define LINUX_VQUIT 1
#define LINUX_VERASE 2
#define LINUX_VKILL 3
#define LINUX_VEOF 4
#define LINUX_VTIME 5
#define LINUX_VMIN 6
#define LINUX_VSWTC 7
#define LINUX_VSTART 8
#define LINUX_VSTOP 9
#define LINUX_VSUSP 10
#define LINUX_VEOL 11
#define LINUX_VREPRINT 12
#define LINUX_VDISCARD 13
#define LINUX_VWERASE 14
#define LINUX_VLNEXT 15
#define LINUX_VEOL2 16

/* c_iflag */
#define LINUX_IGNBRK 0000001u
#define LINUX_BRKINT 0000002u
#define LINUX_IGNPAR 0000004u
#define LINUX_PARMRK 0000010u
#define LINUX_INPCK 0000020u
#define LINUX_ISTRIP 0000040u
#define LINUX_INLCR 0000100u
#define LINUX_IGNCR 0000200u
#define LINUX_ICRNL 0000400u
#define LINUX_IUCLC 0001000u
#define LINUX_IXON 0002000u
#define LINUX_IXANY 0004000u
#define LINUX_IXOFF 0010000u
#define LINUX_IMAXBEL 0020000u
#define LINUX_IUTF8 0040000u

/* c_oflag */
#define LINUX_OPOST 0000001u
#define LINUX_OLCUC 0000002u
#define LINUX_ONLCR 0000004u
#define LINUX_OCRNL 0000010u
#define LINUX_ONOCR 0000020u
#define LINUX_ONLRET 0000040u
#define LINUX_TABDLY 0014000u
#define LINUX_XTABS 0014000u

/* c_cflag */
#define LINUX_CBAUD 0010017u
#define LINUX_B38400 0000017u
#define LINUX_CSIZE 0000060u
#define LINUX_CS8 0000060u
#define LINUX_CREAD 0000200u
#define LINUX_HUPCL 0002000u
#define LINUX_CLOCAL 0004000u
#define LINUX_CBAUDEX 0010000u
#define LINUX_BOTHER 0010000u
#define LINUX_CIBAUD 002003600000u
#define LINUX_IBSHIFT 16

/* c_lflag */
#define LINUX_ISIG 0000001u
#define LINUX_ICANON 0000002u
#define LINUX_XCASE 0000004u
#define LINUX_ECHO 0000010u
#define LINUX_ECHOE 0000020u
#define LINUX_ECHOK 0000040u
#define LINUX_ECHONL 0000100u
#define LINUX_NOFLSH 0000200u
#define LINUX_TOSTOP 0000400u
#define LINUX_ECHOCTL 0001000u
#define LINUX_ECHOPRT 0002000u
#define LINUX_ECHOKE 0004000u
#define LINUX_FLUSHO 0010000u
#define LINUX_PENDIN 0040000u
#define LINUX_IEXTEN 0100000u
#define LINUX_EXTPROC 0200000u

struct linux_winsize {
	uint16_t ws_row;
	uint16_t ws_col;
	uint16_t ws_xpixel;
	uint16_t ws_ypixel;
};

#endif
