/*
 * commit_status.c — the outcome of a change where its author looks: after
 * the sync of a project whose render a commit changed, a commit status
 * "tend/<project>" on that commit, on GitHub (POST /repos/R/statuses/SHA)
 * or GitLab (POST /projects/R/statuses/SHA), configured in tend.yaml's
 * commitStatus. The pull request's merge commit then shows "applied".
 *
 * Only commits that changed a project are marked (revision.c), so a resync
 * or a restart posts nothing, and a status is posted again only when what it
 * says changed (a failed sync that a retry mends: failure, then success).
 * The requests go out on a thread of their own, so a slow or unreachable
 * Git host never delays a sync or a revert; the queue is bounded
 * (QUEUE_MAX), and what does not fit is dropped and logged. Best effort: a
 * refused request is logged, not retried.
 */
#include "daemon_internal.h"

#include <curl/curl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define QUEUE_MAX       1000
#define DESCRIPTION_MAX 138 /* bytes: GitHub keeps 140 characters */

typedef struct job {
	char *url, *body, *what;
	struct job *next;
} job;

struct daemon_notifier {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake;
	job *head, *tail;
	size_t n;
	bool stop;
	bool gitlab;
	char *token_file;
	bool dropped_logged;
};

static char *read_token(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return NULL;
	char buf[512];
	char *t = fgets(buf, sizeof(buf), f) ? buf : NULL;
	fclose(f);
	if (!t)
		return NULL;
	t[strcspn(t, "\r\n")] = '\0';
	return *t ? tend_xstrdup(t) : NULL;
}

static size_t discard(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static void send_one(struct daemon_notifier *nt, const job *j)
{
	char *token = read_token(nt->token_file);
	if (!token) {
		tend_log(TEND_LOG_WARN,
		         "commit status %s not posted: cannot read the token file %s", j->what,
		         nt->token_file);
		return;
	}
	CURL *c = curl_easy_init();
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: application/json");
	h = curl_slist_append(h, "User-Agent: tend");
	char *auth = nt->gitlab ? tend_xasprintf("PRIVATE-TOKEN: %s", token)
	                        : tend_xasprintf("Authorization: Bearer %s", token);
	h = curl_slist_append(h, auth);
	if (!nt->gitlab)
		h = curl_slist_append(h, "Accept: application/vnd.github+json");
	curl_easy_setopt(c, CURLOPT_URL, j->url);
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(c, CURLOPT_POSTFIELDS, j->body);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(c, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	CURLcode rc = curl_easy_perform(c);
	long code = 0;
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &code);
	if (rc != CURLE_OK)
		tend_log(TEND_LOG_WARN, "commit status %s not posted: %s", j->what,
		         curl_easy_strerror(rc));
	else if (code < 200 || code > 299)
		tend_log(TEND_LOG_WARN, "commit status %s not posted: HTTP %ld", j->what, code);
	else
		tend_log(TEND_LOG_DEBUG, "commit status %s posted", j->what);
	curl_easy_cleanup(c);
	curl_slist_free_all(h);
	memset(auth, 0, strlen(auth));
	free(auth);
	memset(token, 0, strlen(token));
	free(token);
}

static void job_free(job *j)
{
	free(j->url);
	free(j->body);
	free(j->what);
	free(j);
}

static void *run(void *arg)
{
	struct daemon_notifier *nt = arg;
	pthread_mutex_lock(&nt->lock);
	for (;;) {
		while (!nt->head && !nt->stop)
			pthread_cond_wait(&nt->wake, &nt->lock);
		if (nt->stop)
			break;
		job *j = nt->head;
		nt->head = j->next;
		if (!nt->head)
			nt->tail = NULL;
		nt->n--;
		pthread_mutex_unlock(&nt->lock);
		send_one(nt, j);
		job_free(j);
		pthread_mutex_lock(&nt->lock);
	}
	pthread_mutex_unlock(&nt->lock);
	return NULL;
}

static struct daemon_notifier *notifier(tend_daemon *d)
{
	if (d->notifier)
		return d->notifier;
	struct daemon_notifier *nt = tend_xcalloc(1, sizeof(*nt));
	pthread_mutex_init(&nt->lock, NULL);
	pthread_cond_init(&nt->wake, NULL);
	nt->gitlab = strcmp(d->cfg.commit_status.provider, "gitlab") == 0;
	nt->token_file = tend_config_path(&d->cfg, d->cfg.commit_status.token_file);
	if (pthread_create(&nt->thread, NULL, run, nt) != 0) {
		tend_log(TEND_LOG_ERROR, "commit statuses: cannot start their thread");
		pthread_mutex_destroy(&nt->lock);
		pthread_cond_destroy(&nt->wake);
		free(nt->token_file);
		free(nt);
		return NULL;
	}
	return d->notifier = nt;
}

void daemon_commit_status_stop(tend_daemon *d)
{
	struct daemon_notifier *nt = d->notifier;
	if (!nt)
		return;
	pthread_mutex_lock(&nt->lock);
	nt->stop = true;
	pthread_cond_signal(&nt->wake);
	pthread_mutex_unlock(&nt->lock);
	pthread_join(nt->thread, NULL);
	for (job *j = nt->head, *next; j; j = next) {
		next = j->next;
		job_free(j);
	}
	pthread_mutex_destroy(&nt->lock);
	pthread_cond_destroy(&nt->wake);
	free(nt->token_file);
	free(nt);
	d->notifier = NULL;
}

void daemon_commit_status_mark(proj *p, const char *sha)
{
	daemon_proj_set_str(&p->commit_status_sha, sha);
	p->commit_status_key = 0;
}

/* GitHub's state word, or GitLab's, for how the project's sync went. */
static const char *state_of(bool gitlab, bool ok)
{
	return ok ? "success" : gitlab ? "failed" : "failure";
}

static void enqueue(tend_daemon *d, job *j)
{
	struct daemon_notifier *nt = notifier(d);
	if (!nt) {
		job_free(j);
		return;
	}
	pthread_mutex_lock(&nt->lock);
	if (nt->n >= QUEUE_MAX) {
		if (!nt->dropped_logged)
			tend_log(TEND_LOG_WARN,
			         "commit statuses: %d waiting for the Git host; dropping %s and "
			         "others until it catches up",
			         QUEUE_MAX, j->what);
		nt->dropped_logged = true;
		pthread_mutex_unlock(&nt->lock);
		job_free(j);
		return;
	}
	nt->dropped_logged = false;
	if (nt->tail)
		nt->tail->next = j;
	else
		nt->head = j;
	nt->tail = j;
	nt->n++;
	pthread_cond_signal(&nt->wake);
	pthread_mutex_unlock(&nt->lock);
}

void daemon_commit_status_post(tend_daemon *d, proj *p, const tend_reconcile_report *rep)
{
	const tend_commit_status_config *cs = &d->cfg.commit_status;
	if (!cs->provider || !p->commit_status_sha || (!rep && !p->render_error))
		return;
	bool gitlab = strcmp(cs->provider, "gitlab") == 0;
	bool ok = !p->render_error && rep->status == TEND_SYNC_SYNCED;
	char *description;
	if (p->render_error)
		description = tend_xasprintf("not applied: %s", p->render_error);
	else if (ok)
		description = tend_xasprintf("applied: %zu objects", rep->n_objects);
	else
		description = tend_xasprintf("%s: %s", tend_sync_status_name(rep->status),
		                             rep->error ? rep->error : "see tend's status page");
	description[strcspn(description, "\n")] = '\0';
	daemon_truncate_utf8(description, DESCRIPTION_MAX, "...");
	const char *state = state_of(gitlab, ok);
	uint64_t key = daemon_key64((const char *[]){p->commit_status_sha, state, description}, 3);
	if (key == p->commit_status_key) {
		free(description);
		return;
	}
	p->commit_status_key = key;
	char *context = tend_xasprintf("tend/%s", p->name);
	cJSON *body = cJSON_CreateObject();
	cJSON_AddStringToObject(body, "state", state);
	cJSON_AddStringToObject(body, gitlab ? "name" : "context", context);
	cJSON_AddStringToObject(body, "description", description);
	if (cs->page_url && *cs->page_url) {
		size_t n = strlen(cs->page_url);
		char *target = tend_xasprintf("%s%sprojects/%s", cs->page_url,
		                              cs->page_url[n - 1] == '/' ? "" : "/", p->name);
		cJSON_AddStringToObject(body, "target_url", target);
		free(target);
	}
	job *j = tend_xcalloc(1, sizeof(*j));
	j->body = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	size_t n = strlen(cs->api_url);
	const char *slash = cs->api_url[n - 1] == '/' ? "" : "/";
	if (gitlab) {
		tend_buf id = TEND_BUF_INIT; /* a path is one URL segment: a/b -> a%2Fb */
		for (const char *c = cs->repository; *c; c++)
			if (*c == '/')
				tend_buf_puts(&id, "%2F");
			else
				tend_buf_putc(&id, *c);
		j->url = tend_xasprintf("%s%sprojects/%s/statuses/%s", cs->api_url, slash, id.data,
		                        p->commit_status_sha);
		tend_buf_free(&id);
	} else {
		j->url = tend_xasprintf("%s%srepos/%s/statuses/%s", cs->api_url, slash,
		                        cs->repository, p->commit_status_sha);
	}
	j->what = tend_xasprintf("%s %s on %.12s", context, state, p->commit_status_sha);
	free(context);
	free(description);
	enqueue(d, j);
}
