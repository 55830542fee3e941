/*
 * fuzz_known_hosts.c — libFuzzer target for OpenSSH known_hosts files: any
 * input answers known (1), unknown (0) or refused with a reason (-1) for a
 * fixed host and key, on the default port and on another one.
 */
#include "fuzz_scratch.h"
#include "lib/source/source_internal.h"

#include <stdint.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned char key[] = "\0\0\0\x0bssh-ed25519\0\0\0\x20"
					   "0123456789abcdef0123456789abcdef";
	fuzz_scratch_put("known_hosts", data, size);
	char path[512];
	snprintf(path, sizeof(path), "%s/known_hosts", fuzz_scratch_dir());
	static const int ports[] = {22, 2222};
	for (size_t i = 0; i < 2; i++) {
		char reason[256] = "";
		int rc = src_known_hosts_check(path, "git.example.org", ports[i], key,
					       sizeof(key) - 1, reason, sizeof(reason));
		if (rc < -1 || rc > 1 || (rc == -1 && !reason[0]))
			abort();
	}
	return 0;
}
