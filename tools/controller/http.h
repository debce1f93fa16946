/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_HTTP_H
#define CTL_HTTP_H

#include <stddef.h>
#include "api.h"

struct mg_context;

/* Serves a's API on listen ("IP:PORT"): the server, or NULL with err. */
struct mg_context *http_start(struct api *a, const char *listen, char *err, size_t errlen);
void http_stop(struct mg_context *ctx);

#endif
