/*
 * images.c — `images:` (and the deprecated `imageTags:`), kustomize's
 * ImageTagTransformer: each entry rewrites the image references that match
 * its name, entry after entry, `images` before `imageTags`.
 *
 * Every entry runs two passes, as kustomize's does: the legacy one visits
 * the `image` of each element of any list called `containers` or
 * `initContainers`, anywhere in an object; then the `images` field specs
 * (pod specs and pod templates, plus those of `configurations:`) are
 * visited again. CustomResourceDefinitions are never touched. A rewrite is idempotent for the
 * usual entries; a `tagSuffix` is appended by both passes, as kustomize
 * does. The entry's name is a Go regular expression anchored on both ends
 * and followed by an optional tag and sha256 digest.
 */
#include "kustomize_internal.h"

#include <stdlib.h>
#include <string.h>

static const char *const IMAGE_FIELDS[] = {"name",   "newName",   "newTag",
                                           "digest", "tagSuffix", NULL};

void kz_image_split(const char *image, char **name, char **tag, char **digest)
{
	const char *slash = strchr(image, '/');
	size_t base = slash && slash > image ? (size_t)(slash - image) : 0;
	const char *search = image + base;
	const char *at = strchr(search, '@');
	const char *colon = strchr(search, ':');
	*tag = tend_xstrdup("");
	*digest = tend_xstrdup("");
	if (!at && !colon) {
		*name = tend_xstrdup(image);
		return;
	}
	if (at && (!colon || at < colon)) {
		*name = tend_xstrndup(image, (size_t)(at - image));
		free(*digest);
		*digest = tend_xstrdup(at + 1);
		return;
	}
	*name = tend_xstrndup(image, (size_t)(colon - image));
	free(*tag);
	if (at) {
		*tag = tend_xstrndup(colon + 1, (size_t)(at - colon - 1));
		free(*digest);
		*digest = tend_xstrdup(at + 1);
	} else {
		*tag = tend_xstrdup(colon + 1);
	}
}

char *kz_image_rewrite(const kz_image *img, const char *value)
{
	if (!kz_regex_match(img->match, value))
		return NULL;
	char *name, *tag, *digest;
	kz_image_split(value, &name, &tag, &digest);
	const char *n = *img->new_name ? img->new_name : name;
	const char *t = tag, *d = digest;
	char *suffixed = NULL;
	if (*img->new_tag) {
		t = img->new_tag;
		d = *img->digest ? img->digest : "";
	} else if (*img->digest) {
		t = "";
		d = img->digest;
	} else if (*img->tag_suffix) {
		t = suffixed = tend_xasprintf("%s%s", tag, img->tag_suffix);
		d = "";
	}
	tend_buf out = TEND_BUF_INIT;
	tend_buf_puts(&out, n);
	if (*t)
		tend_buf_printf(&out, ":%s", t);
	if (*d)
		tend_buf_printf(&out, "@%s", d);
	free(name);
	free(tag);
	free(digest);
	free(suffixed);
	return tend_buf_detach(&out);
}

/* kustomize's imageTagUpdater on one `image` node. */
static int update_image(cJSON *node, void *ctx)
{
	const kz_image *img = ctx;
	if (cJSON_IsObject(node) || cJSON_IsArray(node))
		return tend_err("image: expected a scalar, found a %s",
		                cJSON_IsObject(node) ? "mapping" : "list");
	if (cJSON_IsNull(node))
		return 0;
	tend_buf text = TEND_BUF_INIT;
	kz_scalar_text(node, &text);
	char *now = kz_image_rewrite(img, text.data ? text.data : "");
	if (now)
		kz_set_string(node, now);
	free(now);
	tend_buf_free(&text);
	return 0;
}

/* The legacy pass: every list named containers or initContainers. */
static int walk_containers(cJSON *node, const kz_image *img)
{
	if (cJSON_IsArray(node)) {
		for (cJSON *e = node->child; e; e = e->next)
			if (walk_containers(e, img))
				return -1;
		return 0;
	}
	if (!cJSON_IsObject(node))
		return 0;
	for (cJSON *f = node->child; f; f = f->next) {
		if (walk_containers(f, img))
			return -1;
		if (!cJSON_IsArray(f) || (strcmp(f->string, "containers") != 0 &&
		                          strcmp(f->string, "initContainers") != 0))
			continue;
		for (cJSON *c = f->child; c; c = c->next) {
			if (cJSON_IsNull(c))
				continue;
			if (!cJSON_IsObject(c))
				return tend_err("%s: expected a list of mappings", f->string);
			cJSON *image = cJSON_GetObjectItemCaseSensitive(c, "image");
			if (image && update_image(image, (void *)img))
				return -1;
		}
	}
	return 0;
}

static int check_entry(const kz_kust *k, const cJSON *e, const char *field)
{
	if (!cJSON_IsObject(e))
		return kz_field_err(k, e, "%s: entries must be mappings", field);
	for (const cJSON *f = e->child; f; f = f->next) {
		bool known = false;
		for (const char *const *n = IMAGE_FIELDS; *n && !known; n++)
			known = strcmp(*n, f->string) == 0;
		if (!known)
			return kz_field_err(k, f, "%s: unknown field \"%s\"", field, f->string);
		if (!cJSON_IsString(f) && !cJSON_IsNull(f))
			return kz_field_err(k, f, "%s.%s: must be a string (quote the value)",
			                    field, f->string);
	}
	return 0;
}

static int apply_entry(const kz_kust *k, kz_acc *acc, const cJSON *e, const char *field)
{
	if (check_entry(k, e, field))
		return -1;
	kz_image img = {kz_str(e, "name", NULL),      kz_str(e, "newName", NULL),
	                kz_str(e, "newTag", NULL),    kz_str(e, "digest", NULL),
	                kz_str(e, "tagSuffix", NULL), NULL};
	char *pattern =
	    tend_xasprintf("^%s(:[a-zA-Z0-9_.{}-]*)?(@sha256:[a-zA-Z0-9_.{}-]*)?$", img.name);
	img.match = kz_regex_new(pattern);
	free(pattern);
	if (!img.match)
		return kz_field_err(k, cJSON_GetObjectItemCaseSensitive(e, "name"),
		                    "%s.name: \"%s\" is %s", field, img.name, tend_err_msg());
	int rc = 0;
	for (size_t i = 0; i < acc->res.len && !rc; i++) {
		tend_resource *r = &acc->res.items[i];
		if (strcmp(kz_kind(r->obj), "CustomResourceDefinition") == 0)
			continue;
		rc = walk_containers(r->obj, &img);
		if (!rc)
			rc = kz_fslist_apply(r->obj, &acc->tc.images, 0, update_image, &img);
		if (rc)
			rc = kz_field_err(k, e, "%s: %s:%d: %s", field, r->file, r->line,
			                  tend_err_msg());
	}
	kz_regex_free(img.match);
	return rc;
}

int kz_images_transform(const kz_kust *k, kz_acc *acc)
{
	static const char *const fields[] = {"images", "imageTags"};
	for (int f = 0; f < 2; f++) {
		const cJSON *list = cJSON_GetObjectItemCaseSensitive(k->k, fields[f]);
		if (!list || cJSON_IsNull(list))
			continue;
		if (!cJSON_IsArray(list))
			return kz_field_err(k, list, "%s: must be a list", fields[f]);
		const cJSON *e;
		cJSON_ArrayForEach(e, list)
		{
			if (apply_entry(k, acc, e, fields[f]))
				return -1;
		}
	}
	return 0;
}
