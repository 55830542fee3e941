/*
 * harness.h — running the Kubernetes API emulator from C tests and
 * benchmarks: start it on 127.0.0.1 port 0, read its "ready URL" line and
 * kubeconfig, talk to its /_emulator/ control API, stop it.
 */
#ifndef TEND_KUBE_HARNESS_H
#define TEND_KUBE_HARNESS_H

#include "lib/kube/kube.h"

#include <limits.h>
#include <sys/types.h>

typedef struct emu {
	pid_t pid;
	char url[512];
	char dir[PATH_MAX];             /* a temp dir owned by this emulator */
	char kubeconfig[PATH_MAX + 32]; /* dir/kubeconfig.yaml */
	tend_kube *ctl;                 /* control client: no rate limit, no retries */
} emu;

/* args: extra emulator arguments, NULL-terminated. TLS and token on when tls. */
int emu_start(emu *e, const char *root, const char *token, bool tls, const char *const *args);
void emu_stop(emu *e);
/* A control-API call; returns the parsed response or NULL. */
cJSON *emu_ctl(emu *e, const char *method, const char *path, const char *json);
int emu_reset(emu *e);
int emu_fault(emu *e, const char *json);
/* Requests the emulator counted for verb/resource since the last stats reset. */
long emu_count(emu *e, const char *verb, const char *resource);
void emu_stats_reset(emu *e);

#endif
