/*
 * kube_internal.h — what lib/kube's files share and nobody else sees: the
 * client struct, the request queue entries, and credential helpers.
 */
#ifndef TEND_KUBE_INTERNAL_H
#define TEND_KUBE_INTERNAL_H

#include "kube.h"
#include "../doc/doc.h"

#include <curl/curl.h>
#include <stdint.h>

/* Monotonic milliseconds. */
int64_t kube_now_ms(void);

/* ---- credentials (credentials.c, exec.c) ---- */

typedef struct kube_exec_cred {
	char *token;
	char *cert, *key;   /* PEM, when the plugin returns a client certificate */
	int64_t expires_ms; /* monotonic; 0: never */
} kube_exec_cred;

/* Runs the plugin; the message names the kubeconfig user on failure. */
int kube_exec_run(const tend_kube_config *cfg, kube_exec_cred *out);
void kube_exec_cred_clear(kube_exec_cred *c);
/* Parses ExecCredential JSON (exported for unit tests through this header). */
int kube_exec_parse(const char *json, size_t len, kube_exec_cred *out);

typedef struct kube_creds {
	char *file_token; /* last read of cfg->token_file */
	int64_t file_read_ms;
	bool file_stale;
	kube_exec_cred exec;
	bool exec_valid;
} kube_creds;

/* The bearer token to send now ("" when none), refreshing as needed. */
int kube_creds_token(tend_kube *k, const char **token);
/* After a 401: forget cached credentials; true when they changed. */
bool kube_creds_invalidate(tend_kube *k, const char *used_token);
void kube_creds_free(kube_creds *c);

/* ---- the client ---- */

typedef struct kube_req kube_req;
typedef struct tend_kube_timer tend_kube_timer;

typedef struct kube_list {
	kube_req *head, *tail;
} kube_list;

struct tend_kube_timer {
	int64_t due;
	void (*fn)(void *ud);
	void *ud;
	tend_kube_timer *next;
};

typedef struct kube_discovery kube_discovery; /* discovery.c */

struct tend_kube {
	tend_kube_config *cfg;
	tend_kube_options opt;
	char *user_agent;
	char *base_url; /* server, or rewritten for tls-server-name */
	struct curl_slist *connect_to;
	CURLM *multi;
	CURLSH *share;
	kube_list pending; /* waiting for the rate limiter */
	kube_list delayed; /* waiting out a backoff */
	kube_list active;  /* in the multi handle */
	tend_kube_timer *timers;
	double tokens; /* rate limiter bucket */
	int64_t refill_ms;
	uint64_t rng;
	kube_creds creds;
	kube_discovery *disc;
	tend_kube_status last;
	tend_kube_stats stats;
	tend_kube_observer_fn observe;
	void *observe_ud;
	int in_callback;         /* sync calls refuse to run inside callbacks */
	unsigned long callbacks; /* callbacks run so far: step returns early after any */
};

/* Runs cleanup(ud) if the request is freed (cancelled, aborted, client
 * freed) without its done callback having run. */
void kube_req_set_cleanup(tend_kube_request *req, void (*cleanup)(void *ud));

/* Jitter source: xorshift, seeded per client. */
double kube_rand(tend_kube *k);

/* Deep copy (kubeconfig.c). */
tend_kube_config *kube_config_dup(const tend_kube_config *c);

/* Discovery lifetime (discovery.c). */
void kube_discovery_free(kube_discovery *d);

/* Sets tend_err from a failed response and records it as the last status. */
int kube_fail(tend_kube *k, const tend_kube_response *res);

/* Appends "key=value" (URL-escaped value) with '?' or '&'. */
void kube_query_add(tend_buf *path, const char *key, const char *value);

/* Runs a synchronous JSON call: body (may be NULL) emitted compactly, response parsed into *out. */
int kube_call_json(tend_kube *k, const char *method, const char *path, const char *ctype,
                   const cJSON *body, const tend_kube_identity *as, cJSON **out);

/* Sets apiVersion and kind on list items that lack them (typed lists omit them). */
void kube_fill_type(cJSON *obj, const tend_kube_resource *r);

/* String field of an object, or NULL. */
const char *kube_str(const cJSON *obj, const char *key);
const char *kube_meta_str(const cJSON *obj, const char *key);

/* base64 (kubeconfig *-data fields); returns -1 on bad input. */
int kube_base64_decode(const char *in, tend_buf *out);

#endif
