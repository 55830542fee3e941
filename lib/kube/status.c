/*
 * status.c — the API server's Status objects, which carry every error.
 *
 * A failed response body is normally a Status (reason, message, details
 * with causes and retryAfterSeconds); when it is not (a proxy's HTML page,
 * an empty 503), a Status is synthesised from the HTTP code the way
 * client-go's NewGenericServerResponse does, so callers can always switch
 * on `reason`.
 */
#include "kube_internal.h"

#include <stdlib.h>
#include <string.h>

static const struct {
	long code;
	const char *reason, *message;
} generic[] = {
    {400, "BadRequest", "the server rejected our request for an unknown reason"},
    {401, "Unauthorized", "the server has asked for the client to provide credentials"},
    {403, "Forbidden", "the server does not allow access to the requested resource"},
    {404, "NotFound", "the server could not find the requested resource"},
    {405, "MethodNotAllowed", "the server does not allow this method on the requested resource"},
    {406, "NotAcceptable",
     "the server was unable to respond with a content type that the client supports"},
    {409, "Conflict", "the server reported a conflict"},
    {410, "Expired", "the server could not find the requested resource"},
    {413, "RequestEntityTooLarge", "the request entity is too large"},
    {415, "UnsupportedMediaType", "the server does not support the content type of the request"},
    {422, "Invalid", "the server rejected our request due to an error in our request"},
    {429, "TooManyRequests",
     "the server has received too many requests and has asked us to try again later"},
    {500, "InternalError", "an error on the server has prevented the request from succeeding"},
    {503, "ServiceUnavailable", "the server is currently unable to handle the request"},
    {504, "Timeout", "the server was unable to return a response in the time allotted"},
};

static char *dup_field(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
	return cJSON_IsString(v) ? tend_xstrdup(v->valuestring) : NULL;
}

static void synthesise(long code, const char *body, size_t len, tend_kube_status *out)
{
	const char *reason = code >= 500 ? "InternalError" : "Unknown";
	const char *message = NULL;
	for (size_t i = 0; i < sizeof(generic) / sizeof(generic[0]); i++) {
		if (generic[i].code == code) {
			reason = generic[i].reason;
			message = generic[i].message;
		}
	}
	out->reason = tend_xstrdup(reason);
	if (len > 0 && len < 512) {
		/* A short non-Status body is usually the useful explanation. */
		char *t = tend_xstrndup(body, len);
		size_t n = strlen(t);
		while (n && (t[n - 1] == '\n' || t[n - 1] == '\r' || t[n - 1] == ' '))
			t[--n] = '\0';
		out->message = t;
	} else {
		out->message =
		    tend_xasprintf("%s (%ld)", message ? message : "unexpected response", code);
	}
}

void tend_kube_status_parse(long code, const char *body, size_t len, tend_kube_status *out)
{
	memset(out, 0, sizeof(*out));
	out->code = code;
	out->retry_after_s = -1;
	cJSON *root = NULL;
	if (body && len && tend_kube_json_parse(body, len, &root) == 0) {
		const cJSON *kind = cJSON_GetObjectItemCaseSensitive(root, "kind");
		if (cJSON_IsString(kind) && strcmp(kind->valuestring, "Status") == 0) {
			out->reason = dup_field(root, "reason");
			out->message = dup_field(root, "message");
			const cJSON *c = cJSON_GetObjectItemCaseSensitive(root, "code");
			if (cJSON_IsNumber(c) && c->valuedouble > 0)
				out->code = (long)c->valuedouble;
			const cJSON *d = cJSON_GetObjectItemCaseSensitive(root, "details");
			const cJSON *ra = cJSON_GetObjectItemCaseSensitive(d, "retryAfterSeconds");
			if (cJSON_IsNumber(ra))
				out->retry_after_s = (long)ra->valuedouble;
			const cJSON *causes = cJSON_GetObjectItemCaseSensitive(d, "causes");
			int n = cJSON_IsArray(causes) ? cJSON_GetArraySize(causes) : 0;
			if (n > 0) {
				out->causes = tend_xcalloc((size_t)n, sizeof(*out->causes));
				const cJSON *it;
				cJSON_ArrayForEach(it, causes)
				{
					tend_kube_cause *cz = &out->causes[out->ncauses++];
					cz->reason = dup_field(it, "reason");
					cz->message = dup_field(it, "message");
					cz->field = dup_field(it, "field");
				}
			}
			if (!out->reason || !*out->reason) {
				/* A Status without a reason: derive it from the code. */
				free(out->reason);
				out->reason = NULL;
				tend_kube_status tmp;
				memset(&tmp, 0, sizeof(tmp));
				synthesise(out->code, NULL, 0, &tmp);
				out->reason = tmp.reason;
				free(tmp.message);
			}
			if (!out->message)
				out->message = tend_xstrdup("");
			cJSON_Delete(root);
			return;
		}
	}
	cJSON_Delete(root);
	synthesise(code, body, len, out);
}

void tend_kube_status_format(const tend_kube_status *st, tend_buf *out)
{
	if (st->code == 0) {
		tend_buf_puts(out, st->message ? st->message : "request failed");
		return;
	}
	tend_buf_printf(out, "%ld %s: %s", st->code, st->reason ? st->reason : "",
	                st->message ? st->message : "");
	if (!st->ncauses)
		return;
	/* Causes are often already folded into the message; add what is new. */
	bool first = true;
	for (size_t i = 0; i < st->ncauses; i++) {
		const tend_kube_cause *c = &st->causes[i];
		if (c->message && st->message && strstr(st->message, c->message))
			continue;
		tend_buf_puts(out, first ? " [" : "; ");
		first = false;
		if (c->field && *c->field)
			tend_buf_printf(out, "%s: ", c->field);
		tend_buf_printf(out, "%s", c->reason ? c->reason : "");
		if (c->message && *c->message)
			tend_buf_printf(out, ": %s", c->message);
	}
	if (!first)
		tend_buf_putc(out, ']');
}

void tend_kube_status_clear(tend_kube_status *st)
{
	if (!st)
		return;
	free(st->reason);
	free(st->message);
	for (size_t i = 0; i < st->ncauses; i++) {
		free(st->causes[i].reason);
		free(st->causes[i].message);
		free(st->causes[i].field);
	}
	free(st->causes);
	memset(st, 0, sizeof(*st));
	st->retry_after_s = -1;
}

bool tend_kube_status_is(const tend_kube_status *st, const char *reason)
{
	return st && st->reason && strcmp(st->reason, reason) == 0;
}
