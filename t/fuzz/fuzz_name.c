
/*
 * Copyright (C) ngx_faas authors
 */


/*
 * a function name from a variable ($fn of a location's regex, a header):
 * an invalid one is refused before anything is read, a valid one resolves
 * inside t/fuzz/functions or nowhere (functions/escape.js is a link out
 * of it, which must never load)
 */


#include "ngx_fuzz.h"
#include "ngx_faas_require.h"
#include "ngx_faas_vm.h"


int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    u_char               escaped[NGX_MAX_ERROR_STR], *end;
    ngx_str_t            name;
    ngx_http_request_t  *r;

    r = ngx_fuzz_request();

    name.data = ngx_fuzz_copy(r->pool, data, size);
    name.len = size;

    if (ngx_faas_require_name_valid(&name)) {
        (void) ngx_fuzz_run(r, name.data, name.len, NULL, 0,
                            NGX_FUZZ_ALLOW(NGX_FAAS_OK)
                            |NGX_FUZZ_ALLOW(NGX_FAAS_NOT_FOUND));

    } else {
        /* as the failed-call line logs it */

        end = ngx_faas_vm_escape(escaped, escaped + sizeof(escaped),
                                 name.data, name.len);

        ngx_fuzz_check_text("an escaped name", escaped, end - escaped);
    }

    ngx_fuzz_done(r);

    return 0;
}
