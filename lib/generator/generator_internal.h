/*
 * generator_internal.h — shared between the files of lib/generator.
 */
#ifndef TEND_GENERATOR_INTERNAL_H
#define TEND_GENERATOR_INTERNAL_H

#include "generator.h"

/* Reads root/<dir>/project.yaml into p if it exists; sets p->error on problems. */
void gen_load_project_file(const char *root, tend_project *p);

#endif
