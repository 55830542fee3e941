/*
 * fetch.c — the source's fetch and checkout on a thread of their own. A
 * large repository over a slow link takes seconds or minutes; meanwhile the
 * control loop goes on reverting drift, renewing the Lease and syncing.
 *
 * Invariant: while the thread runs only it touches d->src. The control loop
 * shows the revision it applied (d->revision, d->shown) and waits for the
 * thread before it reads the result, replaces the source or frees it.
 */
#include "daemon_internal.h"

#include <stdlib.h>

static void *fetch_thread(void *ud)
{
	tend_daemon *d = ud;
	int rc = tend_source_update(d->src);
	d->fetch_error = rc ? tend_xstrdup(tend_err_msg()) : NULL; /* errors are per thread */
	d->fetch_rc = rc;
	atomic_store(&d->fetch_done, true);
	if (d->kube)
		tend_kube_wakeup(d->kube); /* out of the loop's wait, to apply it */
	return NULL;
}

void daemon_fetch_start(tend_daemon *d)
{
	atomic_store(&d->fetch_done, false);
	d->fetching = true;
	d->fetch_threaded = pthread_create(&d->fetch_thread, NULL, fetch_thread, d) == 0;
	if (!d->fetch_threaded) {
		tend_log(TEND_LOG_WARN, "source: no thread for the fetch; fetching in the loop");
		fetch_thread(d);
	}
}

bool daemon_fetch_finished(tend_daemon *d, int *rc, char **error)
{
	if (!d->fetching || !atomic_load(&d->fetch_done))
		return false;
	if (d->fetch_threaded)
		pthread_join(d->fetch_thread, NULL);
	d->fetching = false;
	*rc = d->fetch_rc;
	*error = d->fetch_error;
	d->fetch_error = NULL;
	return true;
}

void daemon_fetch_abandon(tend_daemon *d)
{
	if (!d->fetching)
		return;
	if (d->fetch_threaded)
		pthread_join(d->fetch_thread, NULL);
	d->fetching = false;
	free(d->fetch_error);
	d->fetch_error = NULL;
}
