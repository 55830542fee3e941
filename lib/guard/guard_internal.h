/*
 * guard_internal.h — shared between the files of lib/guard.
 */
#ifndef TEND_GUARD_INTERNAL_H
#define TEND_GUARD_INTERNAL_H

#include "guard.h"

/* Appends a violation about one object: names it "Kind/namespace/name" and
 * places it at the object's file (relative to root) and line. */
void guard_object_violation(const tend_project *p, const char *root, const tend_resource *r,
                            const char *rule, bool warning, const char *fix, const char *message,
                            tend_violations *out);

/* A string field of a cJSON object ("" when absent or not a string); b may be NULL. */
const char *guard_str(const cJSON *o, const char *a, const char *b);

#endif
