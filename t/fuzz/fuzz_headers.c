
/*
 * Copyright (C) ngx_faas authors
 */


/*
 * request headers into ctx.headers (lower-case names, repeats joined),
 * then the body by whatever Content-Type they name. The input is
 * "name: value" lines up to an empty line, then the body; nginx's parser
 * lets fewer bytes through than this does.
 */


#include "ngx_fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char              *p, *end, *nl, *colon, *value;
    ngx_http_request_t  *r;

    r = ngx_fuzz_request();

    p = (u_char *) data;
    end = p + size;

    while (p < end) {
        nl = ngx_strlchr(p, end, '\n');
        if (nl == NULL) {
            nl = end;
        }

        if (nl == p) {
            p++;
            break;
        }

        colon = ngx_strlchr(p, nl, ':');
        if (colon == NULL) {
            colon = nl;
        }

        value = colon < nl ? colon + 1 : nl;

        while (value < nl && *value == ' ') {
            value++;
        }

        ngx_fuzz_header(r, p, colon - p, value, nl - value);

        p = nl + 1;
    }

    if (p > end) {
        p = end;
    }

    (void) ngx_fuzz_run(r, (u_char *) "echo", 4, p, end - p,
                        NGX_FUZZ_ALLOW(NGX_FAAS_OK)
                        |NGX_FUZZ_ALLOW(NGX_FAAS_BAD_BODY));

    ngx_fuzz_done(r);

    return 0;
}
