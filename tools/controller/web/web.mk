# The web console (tools/controller/web): its page is copied next to plinth-controller, into
# build/controller/web, where the controller serves it at /ui/ (web.c). xterm.js is not
# committed: tools/fetch-web.sh installs it from the npm registry (versions pinned by
# package-lock.json here) into build/web and copies it to build/controller/web/vendor;
# `make web-deps` runs it. Without it the page works and its console pane says so.

CTL_WEB_SRC := index.html app.js app.css
CTL_WEB_FILES := $(addprefix $(CTL_DIR)/web/,$(CTL_WEB_SRC))

$(CTL_DIR)/web/%: tools/controller/web/%
	@mkdir -p $(dir $@)
	cp $< $@

.PHONY: web-deps
web-deps:
	@tools/fetch-web.sh

controller: $(CTL_WEB_FILES)
