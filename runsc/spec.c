/* SPDX-License-Identifier: Apache-2.0 */
/* spec.c: `runsc spec [--bundle DIR]`: write a default config.json, as
 * runc spec does (refusing to overwrite one). */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "runsc/oci/error.h"
#include "runsc/runsc.h"

static const char default_spec[] =
	"{\n"
	"\t\"ociVersion\": \"1.0.2\",\n"
	"\t\"process\": {\n"
	"\t\t\"terminal\": true,\n"
	"\t\t\"user\": {\n\t\t\t\"uid\": 0,\n\t\t\t\"gid\": 0\n\t\t},\n"
	"\t\t\"args\": [\n\t\t\t\"sh\"\n\t\t],\n"
	"\t\t\"env\": [\n"
	"\t\t\t\"PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\",\n"
	"\t\t\t\"TERM=xterm\"\n\t\t],\n"
	"\t\t\"cwd\": \"/\",\n"
	"\t\t\"capabilities\": {\n"
	"\t\t\t\"bounding\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"\t\t\t\"effective\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"\t\t\t\"permitted\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"],\n"
	"\t\t\t\"ambient\": [\"CAP_AUDIT_WRITE\", \"CAP_KILL\", \"CAP_NET_BIND_SERVICE\"]\n"
	"\t\t},\n"
	"\t\t\"rlimits\": [\n"
	"\t\t\t{\n\t\t\t\t\"type\": \"RLIMIT_NOFILE\",\n\t\t\t\t\"hard\": 1024,\n\t\t\t\t\"soft\": 1024\n\t\t\t}\n"
	"\t\t],\n"
	"\t\t\"noNewPrivileges\": true\n"
	"\t},\n"
	"\t\"root\": {\n\t\t\"path\": \"rootfs\",\n\t\t\"readonly\": true\n\t},\n"
	"\t\"hostname\": \"runsc\",\n"
	"\t\"mounts\": [\n"
	"\t\t{\n\t\t\t\"destination\": \"/proc\",\n\t\t\t\"type\": \"proc\",\n\t\t\t\"source\": \"proc\"\n\t\t},\n"
	"\t\t{\n\t\t\t\"destination\": \"/dev\",\n\t\t\t\"type\": \"tmpfs\",\n\t\t\t\"source\": \"tmpfs\",\n"
	"\t\t\t\"options\": [\"nosuid\", \"strictatime\", \"mode=755\", \"size=65536k\"]\n\t\t},\n"
	"\t\t{\n\t\t\t\"destination\": \"/dev/pts\",\n\t\t\t\"type\": \"devpts\",\n\t\t\t\"source\": \"devpts\",\n"
	"\t\t\t\"options\": [\"nosuid\", \"noexec\", \"newinstance\", \"ptmxmode=0666\", \"mode=0620\", \"gid=5\"]\n\t\t},\n"
	"\t\t{\n\t\t\t\"destination\": \"/dev/shm\",\n\t\t\t\"type\": \"tmpfs\",\n\t\t\t\"source\": \"shm\",\n"
	"\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"mode=1777\", \"size=65536k\"]\n\t\t},\n"
	"\t\t{\n\t\t\t\"destination\": \"/dev/mqueue\",\n\t\t\t\"type\": \"mqueue\",\n\t\t\t\"source\": \"mqueue\",\n"
	"\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\"]\n\t\t},\n"
	"\t\t{\n\t\t\t\"destination\": \"/tmp\",\n\t\t\t\"type\": \"tmpfs\",\n\t\t\t\"source\": \"tmpfs\",\n"
	"\t\t\t\"options\": [\"nosuid\", \"nodev\", \"mode=1777\"]\n\t\t},\n"
	"\t\t{\n\t\t\t\"destination\": \"/sys\",\n\t\t\t\"type\": \"sysfs\",\n\t\t\t\"source\": \"sysfs\",\n"
	"\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"ro\"]\n\t\t},\n"
	"\t\t{\n\t\t\t\"destination\": \"/sys/fs/cgroup\",\n\t\t\t\"type\": \"cgroup\",\n\t\t\t\"source\": \"cgroup\",\n"
	"\t\t\t\"options\": [\"nosuid\", \"noexec\", \"nodev\", \"relatime\", \"ro\"]\n\t\t}\n"
	"\t],\n"
	"\t\"linux\": {\n"
	"\t\t\"resources\": {\n\t\t\t\"devices\": [\n\t\t\t\t{\n\t\t\t\t\t\"allow\": false,\n\t\t\t\t\t\"access\": \"rwm\"\n\t\t\t\t}\n\t\t\t]\n\t\t},\n"
	"\t\t\"namespaces\": [\n"
	"\t\t\t{\n\t\t\t\t\"type\": \"pid\"\n\t\t\t},\n"
	"\t\t\t{\n\t\t\t\t\"type\": \"network\"\n\t\t\t},\n"
	"\t\t\t{\n\t\t\t\t\"type\": \"ipc\"\n\t\t\t},\n"
	"\t\t\t{\n\t\t\t\t\"type\": \"uts\"\n\t\t\t},\n"
	"\t\t\t{\n\t\t\t\t\"type\": \"mount\"\n\t\t\t}\n"
	"\t\t]\n"
	"\t}\n"
	"}\n";

int cmd_spec(const struct global_opts *g, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "bundle", required_argument, NULL, 'b' },
		{ "rootless", no_argument, NULL, 'r' },
		{ 0, 0, 0, 0 },
	};
	const char *bundle = ".";
	char path[4200];
	runsc_error_t err = NULL;
	int c, fd;

	(void)g;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+b:", opts, NULL)) != -1) {
		switch (c) {
		case 'b': bundle = optarg; break;
		case 'r': break;
		default:
			return runsc_usage_error("spec: unknown flag '%s'",
						 argv[optind - 1]);
		}
	}
	snprintf(path, sizeof(path), "%s/config.json", bundle);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (fd < 0) {
		if (errno == EEXIST)
			runsc_error_make(&err, 0, "File %s exists. Remove it first",
					 path);
		else
			runsc_error_make(&err, errno, "cannot create %s", path);
		return runsc_error_report(&err);
	}
	if (write(fd, default_spec, strlen(default_spec)) !=
	    (ssize_t)strlen(default_spec)) {
		runsc_error_make(&err, errno, "writing %s", path);
		close(fd);
		return runsc_error_report(&err);
	}
	close(fd);
	return 0;
}
