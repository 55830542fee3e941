/*
 * version.c — `tend version`: tend's version and every linked library's.
 */
#include "cmd.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>
#include <yaml.h>

#include "version.h"

static const char ABOUT[] = "Prints tend's version and the versions of the libraries it links.\n"
                            "\n"
                            "Exit status: 0 printed, 2 bad usage.\n";

int cmd_version(int argc, char **argv)
{
	const char *format = "text";
	const cmd_option options[] = {
	    CMD_OUTPUT_OPTIONS(&format, CMD_CHOICES("text", "json", "yaml"),
	                       "text (default), json or yaml"),
	    {0},
	};
	const cmd_spec spec = {"version", "tend version [-o text|json|yaml]", ABOUT, options, 0};
	cmd_args none;
	int code = cmd_parse(&spec, argc, argv, &none);
	if (code != CMD_GO_ON)
		return code;
	if (!cmd_structured(format)) {
		printf("tend %s\n", TEND_VERSION);
		printf("  libyaml %s\n", yaml_get_version_string());
		printf("  cJSON %s\n", cJSON_Version());
		return 0;
	}
	cJSON *doc = cJSON_CreateObject();
	cJSON_AddStringToObject(doc, "version", TEND_VERSION);
	cJSON *libs = cJSON_AddObjectToObject(doc, "libraries");
	cJSON_AddStringToObject(libs, "libyaml", yaml_get_version_string());
	cJSON_AddStringToObject(libs, "cJSON", cJSON_Version());
	int rc = cmd_print_doc(doc, format) ? cmd_fail(2) : 0;
	cJSON_Delete(doc);
	return rc;
}
