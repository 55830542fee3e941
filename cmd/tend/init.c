/*
 * init.c — `tend init [DIR]`: writes a working config repo into a new or
 * empty directory from the files compiled into the binary (init_files.h)
 * and commits them, so a lone binary starts a repository the daemon can
 * follow at once. A directory with anything in it is refused: init never
 * overwrites or mixes with files it did not write.
 */
#include "cmd.h"

#include "init_files.h"

#include "../../lib/source/source.h"
#include "../../lib/util/util.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char ABOUT[] =
    "Writes a new config repo into DIR (default: the current directory), which\n"
    "must be empty or not exist, and commits it on branch main:\n"
    "  tend.yaml          how tend reads the repo (-c tend.yaml), commented\n"
    "  .tend/guard.yaml   the guardrails tenant projects are checked against\n"
    "  base/, overlays/   the tenant base and its add-ons, from this tend\n"
    "  platform/          the cluster-wide platform (Kueue queues, Kyverno policies)\n"
    "  projects/sample/   one tenant project to copy\n"
    "  deploy/            tend's deployment, following this repo (deploy/tend.yaml)\n"
    "  .github/workflows/tend.yml, .gitlab-ci.yml\n"
    "                     `tend check` and `tend preview` on every pull request\n"
    "\n"
    "Exit status: 0 written, 2 an error (DIR not empty, not writable, bad usage).\n";

/* The URL deploy/tend.yaml names until --url replaces it. */
static const char PLACEHOLDER_URL[] = "https://git.example.org/your-org/cluster-config.git";

/* 0 when dir does not exist or is an empty directory, else -1 with tend_err(). */
static int check_empty(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return tend_err("%s: %s", dir, strerror(errno));
	}
	if (!S_ISDIR(st.st_mode))
		return tend_err("%s exists and is not a directory", dir);
	DIR *d = opendir(dir);
	if (!d)
		return tend_err("%s: %s", dir, strerror(errno));
	size_t n = 0;
	char name[256] = "";
	for (struct dirent *e; (e = readdir(d));) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (!n++)
			snprintf(name, sizeof(name), "%s", e->d_name);
	}
	closedir(d);
	if (n)
		return tend_err("%s is not empty (it holds %s%s): tend init writes a new config "
		                "repo only into an empty or new directory",
		                dir, name, n > 1 ? " and more" : "");
	return 0;
}

/* mkdir -p of the directories above path (not path itself). */
static int make_parents(const char *path)
{
	char *p = tend_xstrdup(path);
	int rc = 0;
	for (char *s = strchr(p + 1, '/'); s && !rc; s = strchr(s + 1, '/')) {
		*s = '\0';
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			rc = tend_err("%s: %s", p, strerror(errno));
		*s = '/';
	}
	free(p);
	return rc;
}

/* mkdir -p dir. */
static int make_dir(const char *dir)
{
	if (make_parents(dir))
		return -1;
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return tend_err("%s: %s", dir, strerror(errno));
	return 0;
}

static int write_file(const char *path, const void *data, size_t len)
{
	if (make_parents(path))
		return -1;
	FILE *f = fopen(path, "wb");
	if (!f)
		return tend_err("%s: %s", path, strerror(errno));
	bool ok = fwrite(data, 1, len, f) == len;
	if (fclose(f) != 0 || !ok)
		return tend_err("%s: %s", path, strerror(errno));
	return 0;
}

/* A YAML double-quoted scalar of s (caller frees). */
static char *yaml_quote(const char *s)
{
	tend_buf b = TEND_BUF_INIT;
	tend_buf_putc(&b, '"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			tend_buf_putc(&b, '\\');
		tend_buf_putc(&b, *s);
	}
	tend_buf_putc(&b, '"');
	return tend_buf_detach(&b);
}

/* deploy/tend.yaml with source.url set to url (caller frees). */
static char *with_url(const tend_init_file *f, const char *url)
{
	char *text = tend_xasprintf("%.*s", (int)f->len, (const char *)f->data);
	char *at = strstr(text, PLACEHOLDER_URL);
	if (!at)
		return text;
	char *q = yaml_quote(url);
	char *out =
	    tend_xasprintf("%.*s%s%s", (int)(at - text), text, q, at + strlen(PLACEHOLDER_URL));
	free(q);
	free(text);
	return out;
}

/* text with the line holding `key` replaced by `line` (text freed). */
static char *replace_line(char *text, const char *key, const char *line)
{
	char *at = strstr(text, key);
	if (!at)
		return text;
	char *start = at;
	while (start > text && start[-1] != '\n')
		start--;
	size_t end = strcspn(at, "\n");
	char *out = tend_xasprintf("%.*s%s%s", (int)(start - text), text, line, at + end);
	free(text);
	return out;
}

/* deploy/kustomization.yaml naming `image` (NAME[:TAG] or NAME@DIGEST)
 * instead of the image built locally (caller frees). */
static char *with_image(const tend_init_file *f, const char *image)
{
	char *text = tend_xasprintf("%.*s", (int)f->len, (const char *)f->data);
	const char *digest = strchr(image, '@');
	const char *slash = strrchr(image, '/');
	const char *colon = digest ? NULL : strrchr(slash ? slash : image, ':');
	const char *end = digest ? digest : colon ? colon : image + strlen(image);
	char *line = tend_xasprintf("  newName: %.*s", (int)(end - image), image);
	text = replace_line(text, "newName:", line);
	free(line);
	if (digest || colon) {
		line = digest ? tend_xasprintf("  digest: %s", digest + 1)
		              : tend_xasprintf("  newTag: \"%s\"", colon + 1);
		text = replace_line(text, "newTag:", line);
		free(line);
	}
	return text;
}

static int write_tree(const char *dir, const char *url, const char *image)
{
	for (const tend_init_file *f = tend_init_files; f->path; f++) {
		char *path = tend_xasprintf("%s/%s", dir, f->path);
		int rc;
		if (url && strcmp(f->path, "deploy/tend.yaml") == 0) {
			char *text = with_url(f, url);
			rc = write_file(path, text, strlen(text));
			free(text);
		} else if (image && strcmp(f->path, "deploy/kustomization.yaml") == 0) {
			char *text = with_image(f, image);
			rc = write_file(path, text, strlen(text));
			free(text);
		} else {
			rc = write_file(path, f->data, f->len);
		}
		free(path);
		if (rc)
			return -1;
	}
	return 0;
}

int cmd_init(int argc, char **argv)
{
	const char *url = NULL, *image = NULL;
	const cmd_option options[] = {
	    {.name = "image",
	     .arg = "IMAGE",
	     .text = &image,
	     .help = "tend's image as the cluster pulls it, for\n"
	             "deploy/kustomization.yaml: NAME[:TAG] or NAME@DIGEST\n"
	             "(default: tend:VERSION, to edit once pushed)"},
	    {.name = "url",
	     .arg = "URL",
	     .text = &url,
	     .help = "the repo's Git URL for deploy/tend.yaml's source.url\n"
	             "(default: a placeholder to edit)"},
	    {0},
	};
	const cmd_spec spec = {"init", "tend init [DIR] [--url URL] [--image IMAGE]", ABOUT,
	                       options, 1};
	cmd_args args;
	int code = cmd_parse(&spec, argc, argv, &args);
	if (code != CMD_GO_ON)
		return code;
	const char *dir = args.len ? args.items[0] : ".";
	if (url && !*url) {
		fprintf(stderr, "tend init: --url: expected a Git URL, got \"\"\n");
		return 2;
	}
	if (image &&
	    (!*image || image[strcspn(image, " \t\n\"'#")] || *image == ':' || *image == '@' ||
	     image[strlen(image) - 1] == ':' || image[strlen(image) - 1] == '@')) {
		fprintf(stderr,
		        "tend init: --image: expected NAME[:TAG] or NAME@DIGEST, got \"%s\"\n",
		        image);
		return 2;
	}
	char sha[41];
	if (check_empty(dir) || make_dir(dir) || write_tree(dir, url, image) ||
	    tend_source_init_repo(dir, "main", "Start the config repo (tend init)\n", sha))
		return cmd_fail(2);
	printf("Initialized a config repo in %s: commit %.7s on branch main.\n", dir, sha);
	printf("Next:\n");
	printf("  cd %s\n", dir);
	printf("  tend check -c tend.yaml              # every project against the guard\n");
	printf("  tend render -c tend.yaml sample      # what projects/sample creates\n");
	printf("  then push it, set source.url in deploy/tend.yaml%s,\n",
	       url ? " (done: --url)" : "");
	printf("  the image in deploy/kustomization.yaml%s and\n", image ? " (done: --image)" : "");
	printf("  kubectl apply --server-side -k deploy   (tend's docs/admins.md, "
	       "\"From nothing to a synced cluster\")\n");
	return 0;
}
