/* t_pty_script: `script -qc 'tty; stty -a' /dev/null` (util-linux):
 * a real program that opens a pty (posix_openpt, TIOCGPTPEER), makes it
 * the controlling terminal of a new session (setsid, TIOCSCTTY) and
 * relays its output. The output is printed with the pty number
 * normalised, so the native and sandboxed runs must agree on every
 * termios setting stty reports. */
#include "itest.h"

#include <ctype.h>

static const char *script_bin(void)
{
	static const char *const paths[] = {"/usr/bin/script", "/bin/script"};

	for (size_t k = 0; k < sizeof(paths) / sizeof(paths[0]); k++)
		if (access(paths[k], X_OK) == 0)
			return paths[k];
	return NULL;
}

/* "/dev/pts/12" -> "/dev/pts/N"; drop the CRs of ONLCR. */
static void normalise(const char *in, char *out, size_t size)
{
	size_t o = 0;

	while (*in && o + 1 < size) {
		if (!strncmp(in, "/dev/pts/", 9) && isdigit((unsigned char)in[9])) {
			o += (size_t)snprintf(out + o, size - o, "/dev/pts/N");
			in += 9;
			while (isdigit((unsigned char)*in))
				in++;
			continue;
		}
		if (*in != '\r')
			out[o++] = *in;
		in++;
	}
	out[o < size ? o : size - 1] = 0;
}

int main(void)
{
	const char *bin = script_bin();
	char cmd[256], line[512], norm[512];
	int lines = 0, st;
	FILE *p;

	it_begin(10);
	if (!bin) {
		it_ok("script(1) is not installed: skipped");
		return it_end();
	}
	snprintf(cmd, sizeof(cmd), "%s -qc 'tty; stty -a' /dev/null </dev/null", bin);
	p = popen(cmd, "r");
	CHECK(p != NULL, "popen script");
	if (!p)
		return it_end();
	while (fgets(line, sizeof(line), p)) {
		normalise(line, norm, sizeof(norm));
		norm[strcspn(norm, "\n")] = 0;
		printf("ok: script: %s\n", norm);
		lines++;
	}
	st = pclose(p);
	EXPECT_EXIT(st, 0, "script exits 0");
	CHECK(lines >= 8, "tty and stty -a printed");
	return it_end();
}
