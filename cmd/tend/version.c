/*
 * version.c — `tend version`: tend's version and every linked library's.
 */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <yaml.h>

#include "version.h"

int cmd_version(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	printf("tend %s\n", TEND_VERSION);
	printf("  libyaml %s\n", yaml_get_version_string());
	printf("  cJSON %s\n", cJSON_Version());
	return 0;
}
