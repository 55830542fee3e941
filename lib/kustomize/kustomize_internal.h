/*
 * kustomize_internal.h — helpers shared by the files of lib/kustomize.
 */
#ifndef TEND_KUSTOMIZE_INTERNAL_H
#define TEND_KUSTOMIZE_INTERNAL_H

#include "kustomize.h"

void kz_resmap_push(tend_resmap *m, cJSON *obj, const char *file, int line);
int kz_resmap_append(tend_resmap *to, tend_resmap *from);

#endif
