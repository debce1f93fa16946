/* SPDX-License-Identifier: GPL-2.0 */
#ifndef CTL_WEB_H
#define CTL_WEB_H

/*
 * The web console's static files (tools/controller/web/), served beside the
 * REST API: "/" redirects to "/ui/", "/ui/NAME" sends a file of the web
 * directory. That directory is $PLINTH_WEB_DIR if set, else "web" next to
 * the executable (build/controller/web: `make controller` copies the page
 * there and tools/fetch-web.sh adds xterm.js under vendor/). The files are
 * public; every call the page makes to /v1 carries the operator's token.
 */
struct mg_connection;

/* Answers the request if uri is the page's: its HTTP status, or 0 when not ours. */
int web_serve(struct mg_connection *conn, const char *method, const char *uri);

#endif
