
/*
 * Copyright (C) ngx_faas authors
 */


/*
 * the bytes of a request line: the query string into ctx.query (a bad
 * %-escape is kept as it is), the path and the URI as strings
 */


#include "ngx_fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_http_request_t  *r;

    r = ngx_fuzz_request();

    r->args.data = ngx_fuzz_copy(r->pool, data, size);
    r->args.len = size;
    r->uri.data = ngx_fuzz_copy(r->pool, data, size);
    r->uri.len = size;
    r->unparsed_uri.data = ngx_fuzz_copy(r->pool, data, size);
    r->unparsed_uri.len = size;

    (void) ngx_fuzz_run(r, (u_char *) "echo", 4, NULL, 0,
                        NGX_FUZZ_ALLOW(NGX_FAAS_OK));

    ngx_fuzz_done(r);

    return 0;
}
