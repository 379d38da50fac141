
/*
 * Copyright (C) ngx_faas authors
 */


/* a bson request body, decoded into ctx.body; a bad one is 400, not a crash */


#include "ngx_fuzz.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    ngx_http_request_t  *r;

    r = ngx_fuzz_request();

    ngx_fuzz_header(r, (u_char *) "Content-Type", sizeof("Content-Type") - 1,
                    (u_char *) "application/bson",
                    sizeof("application/bson") - 1);

    (void) ngx_fuzz_run(r, (u_char *) "body", 4, (u_char *) data, size,
                        NGX_FUZZ_ALLOW(NGX_FAAS_OK)
                        |NGX_FUZZ_ALLOW(NGX_FAAS_BAD_BODY));

    ngx_fuzz_done(r);

    return 0;
}
