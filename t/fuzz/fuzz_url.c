
/*
 * Copyright (C) ngx_faas authors
 */


/*
 * client bytes a function passes on to the runtime's parsers: a text body
 * (made UTF-8 as every client string is) into new URL(), URLSearchParams,
 * atob() and btoa(), which are C (src/ngx_faas_url.c, ngx_faas_web.c)
 */


#include "ngx_fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_http_request_t  *r;

    r = ngx_fuzz_request();

    (void) ngx_fuzz_run(r, (u_char *) "url", 3, (u_char *) data, size,
                        NGX_FUZZ_ALLOW(NGX_FAAS_OK));

    ngx_fuzz_done(r);

    return 0;
}
